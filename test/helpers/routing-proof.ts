import { detailTypes } from '#events/catalogue.ts';
import { eventSource } from '#events/catalogue.ts';
import type { Partnership } from '#shared/partnership/schema.ts';
import type { TemplateRoute } from '#local/routing-table.ts';
import { envelope, rulesFor, rulesMatching } from '#shared/routing/decide.ts';
import { pathwayKinds, referrerTypes } from '#events/vocabulary.ts';

// The routing attributes the proof enumerates: every value each can take after intake.
const ages = Array.from({ length: 26 }, (_, age) => age); // intake accepts 0 to 25
const booleans = [false, true] as const;
const enumerated = new Set([
  'spoke',
  'pathway',
  'ageYears',
  'referrerType',
  'flags.immediateEscalation',
  'flags.aggravatingFactors',
  'flags.eligibleAge',
  'flags.inStaffedWindow',
]);

/** One combination of routing attributes, as a `referral.received` detail carries it. */
export interface Combination {
  spoke: string;
  pathway: string;
  ageYears: number;
  referrerType: string;
  flags: {
    immediateEscalation: boolean;
    aggravatingFactors: boolean;
    eligibleAge: boolean;
    inStaffedWindow: boolean;
  };
}

/** Every combination of routing attributes a referral for this partnership can have. */
export function* combinations(partnership: Partnership): Generator<Combination> {
  for (const { id: spoke } of partnership.spokes)
    for (const pathway of pathwayKinds)
      for (const ageYears of ages)
        for (const referrerType of referrerTypes)
          for (const immediateEscalation of booleans)
            for (const aggravatingFactors of booleans)
              for (const eligibleAge of booleans)
                for (const inStaffedWindow of booleans)
                  yield {
                    spoke,
                    pathway,
                    ageYears,
                    referrerType,
                    flags: {
                      immediateEscalation,
                      aggravatingFactors,
                      eligibleAge,
                      inStaffedWindow,
                    },
                  };
}

/** Paths of the detail fields a pattern tests (through `$or` too), e.g. `flags.eligibleAge`. */
function fieldsOf(pattern: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(pattern).flatMap(([key, value]) => {
    if (key === '$or')
      return (value as Record<string, unknown>[]).flatMap((p) => fieldsOf(p, prefix));
    const path = prefix ? `${prefix}.${key}` : key;
    return Array.isArray(value) ? [path] : fieldsOf(value as Record<string, unknown>, path);
  });
}

export interface ProofResult {
  checked: number;
  /** Each gap or overlap, with the combination that shows it. */
  failures: string[];
}

/**
 * Shows that every combination of routing attributes matches exactly one route, and that route
 * is of the referral's own spoke; and that every escalated referral reaches the escalation
 * route. Evaluated with the local EventBridge's matcher on the template's own patterns.
 */
export function proveExactlyOneRoute(
  partnership: Partnership,
  routes: readonly TemplateRoute[],
  maxFailures = 20,
): ProofResult {
  const failures: string[] = [];
  // A route testing a field the proof does not enumerate would make the proof unsound.
  const provenTypes: unknown[] = [detailTypes.referralReceived, detailTypes.referralEscalated];
  const proven = routes.filter((route) =>
    [route.eventPattern['detail-type']].flat().some((type) => provenTypes.includes(type)),
  );
  for (const route of proven) {
    for (const field of fieldsOf(route.eventPattern.detail ?? {})) {
      if (!enumerated.has(field)) {
        failures.push(
          `route ${route.id} tests detail.${field}, which the proof does not enumerate`,
        );
      }
    }
  }
  const source = eventSource(partnership.id);
  // What intake decides with: the configured routes as rules, before any synth.
  const intakeRules = rulesFor(partnership);
  let checked = 0;
  for (const combination of combinations(partnership)) {
    checked++;
    const detail = { referralId: '00000000-0000-4000-8000-000000000001', ...combination };
    const event = envelope(source, detailTypes.referralReceived, detail);
    const received = rulesMatching(routes, event);
    const ownSpoke = received.filter((route) => route.spoke === combination.spoke);
    // The decision recorded at intake must be the rule that delivers: never a disagreement.
    const decided = rulesMatching(intakeRules, event).map((rule) => rule.id);
    if (received.length !== 1 || ownSpoke.length !== 1) {
      const matched = received.map((route) => route.id).join(', ') || 'no route';
      failures.push(`${JSON.stringify(combination)} matched ${matched}`);
    } else if (decided.join() !== received[0]?.id) {
      failures.push(
        `${JSON.stringify(combination)}: intake decides ${decided.join(', ') || 'nothing'}, the template's rules deliver to ${received[0]?.id}`,
      );
    }
    if (combination.flags.immediateEscalation) {
      const escalated = rulesMatching(
        routes,
        envelope(source, detailTypes.referralEscalated, detail),
      );
      if (escalated.length !== 1 || escalated[0]?.destination.kind !== 'escalation') {
        const matched = escalated.map((route) => route.id).join(', ') || 'no route';
        failures.push(`escalated ${JSON.stringify(combination)} matched ${matched}`);
      }
    }
    if (failures.length >= maxFailures) break;
  }
  return { checked, failures };
}
