import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { detailTypes, eventSource } from '#events/catalogue.ts';
import { checkSubmission } from '#shared/domain/intake.ts';
import { partnershipById, type Partnership } from '#partnerships/index.ts';
import { createReferral, toEventDetail } from '#shared/domain/referral.ts';
import { routingAttributesOf } from '#shared/domain/routing-attributes.ts';
import {
  envelope,
  routeReferral,
  rulesMatching,
  UnroutableReferralError,
} from '#shared/routing/decide.ts';
import {
  describeDetailPattern,
  destinationLabel,
  templateRoutes,
  type TemplateRoute,
} from './routing-table.ts';
import { loadLocalTemplate } from './template.ts';

const usage = `Usage:
  npm run routes                          every spoke's routing table
  npm run routes -- <referral.json>       where that referral would go, and why
        [--at 2026-11-27T19:30:00Z]       as if received at that moment (default: now)`;

/** Names of spokes and providers, for plain-words output. */
function namesOf(partnership: Partnership): Map<string, string> {
  return new Map([
    ...partnership.spokes.map((spoke) => [spoke.id, spoke.name] as const),
    ...partnership.providers.map((provider) => [provider.id, provider.name] as const),
  ]);
}

/** Each spoke's routes in the order coordinators read them: providers first, then triage. */
export function routingTable(partnership: Partnership, routes: readonly TemplateRoute[]): string {
  const names = namesOf(partnership);
  const lines = [`${partnership.name}: routing table (from the synthesized template)`, ''];
  const groups = [
    ...partnership.spokes.map((spoke) => ({ title: spoke.name, spoke: spoke.id })),
    { title: 'Partnership-wide', spoke: undefined },
  ];
  for (const { title, spoke } of groups) {
    lines.push(title);
    for (const route of routes.filter((r) => r.spoke === spoke)) {
      const { spoke: _spoke, ...conditions } = route.eventPattern.detail ?? {};
      const when = describeDetailPattern(conditions);
      lines.push(`  ${route.id} -> ${destinationLabel(route.destination, names)}`);
      lines.push(`    when: ${when.length > 0 ? when.join('; ') : 'always'}`);
      lines.push(`    ${route.description}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Where one referral would go and why, or what is wrong with it. */
export function explainReferral(
  body: unknown,
  receivedAt: Date,
  partnership: Partnership,
  routes: readonly TemplateRoute[],
): { ok: boolean; text: string } {
  const check = checkSubmission(body, receivedAt, partnership);
  if (!check.ok) {
    const problems = check.problems.map((p) => `  ${p.pointer || '/'}: ${p.detail}`);
    return { ok: false, text: ['Intake would refuse this referral:', ...problems].join('\n') };
  }
  const routing = routingAttributesOf(check.submission, check.ageYears, receivedAt, partnership);
  const referral = createReferral({
    referralId: '00000000-0000-4000-8000-000000000000',
    submission: check.submission,
    routing,
    retentionDays: 1,
    receivedAt,
  });
  const detail = toEventDetail(referral);
  const source = eventSource(partnership.id);
  const names = namesOf(partnership);
  const lines = [
    `Received ${receivedAt.toISOString()}: ${detail.pathway} in ${detail.spoke}, age ${detail.ageYears}`,
    `Response expected: ${referral.responseExpected}`,
  ];
  if (detail.flags.immediateEscalation) {
    const escalation = rulesMatching(
      routes,
      envelope(source, detailTypes.referralEscalated, detail),
    );
    lines.push(
      `Escalated first: call the police now (999); also sent to ${escalation.map((r) => destinationLabel(r.destination, names)).join(', ') || 'NO escalation route'}`,
    );
  }
  let decision;
  try {
    // The decision intake records, made with the rules the template deploys.
    decision = routeReferral(referral, partnership, routes).routing;
  } catch (error) {
    if (!(error instanceof UnroutableReferralError)) throw error;
    lines.push(`Routing is broken: matched ${error.matched.join(', ') || 'no route'}`);
    return { ok: false, text: lines.join('\n') };
  }
  if (!decision) throw new Error('A routed referral records its routing');
  lines.push(
    `Goes to: ${destinationLabel(decision.destination, names)} (route ${decision.routeId})`,
  );
  lines.push('Because:');
  for (const reason of decision.reasons) lines.push(`  - ${reason}`);
  return { ok: true, text: lines.join('\n') };
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { at: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length > 1) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const { template, partnershipId } = loadLocalTemplate();
  const partnership = partnershipById(partnershipId);
  const routes = templateRoutes(template);
  const [file] = positionals;
  if (!file) {
    console.log(routingTable(partnership, routes));
    return 0;
  }
  const receivedAt = values.at ? new Date(values.at) : new Date();
  if (Number.isNaN(receivedAt.getTime())) {
    console.error(`--at "${values.at}" is not a date and time (e.g. 2026-11-27T19:30:00Z)`);
    return 2;
  }
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`Cannot read ${file} as JSON: ${(error as Error).message}`);
    return 2;
  }
  const explanation = explainReferral(body, receivedAt, partnership, routes);
  console.log(explanation.text);
  return explanation.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main();
}
