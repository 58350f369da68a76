import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { partnershipById } from '#partnerships/index.ts';
import { signLocalToken, type LocalTokenFor } from './signing-key.ts';
import { loadLocalTemplate } from './template.ts';
import { localWebhookSecrets } from './webhook-secrets.ts';

const usage = `Usage:
  npm run -s token -- --provider <id>         a bearer token for that provider
  npm run -s token -- --organisation <id>     a bearer token for that referrer organisation
  npm run -s token -- --spoke <id>            a bearer token for that spoke's coordinators
  npm run -s token -- --hub                   a bearer token for the partnership's hub analysts
  npm run -s token -- --admin                 a bearer token for the partnership's administrators
  npm run -s token -- --webhook-secret <id>   that organisation's webhook signing secret (whsec_…)
        [--subject <sub>]                     who the token says is calling (default: local-…)
        [--expires-in 8h]                     how long it lasts (e.g. 30m, 8h, 2d)

Prints only the token, signed with the local runtime's key:
  TOKEN=$(npm run -s token -- --provider turning-point-admit)
  curl -H "authorization: Bearer $TOKEN" http://localhost:3000/v1/providers/turning-point-admit/referrals/next`;

/** Signs a local token for the role named; 0 on success, 2 on bad use. */
async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        provider: { type: 'string' },
        organisation: { type: 'string' },
        spoke: { type: 'string' },
        hub: { type: 'boolean' },
        admin: { type: 'boolean' },
        'webhook-secret': { type: 'string' },
        subject: { type: 'string' },
        'expires-in': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const { provider, organisation, spoke, hub, admin } = values;
  const webhookSecretOf = values['webhook-secret'];
  const asked = [provider, organisation, spoke, hub, admin, webhookSecretOf];
  if (asked.filter((role) => role !== undefined).length !== 1) {
    console.error(
      `Name one provider, organisation or spoke, or --hub, --admin or --webhook-secret.\n\n${usage}`,
    );
    return 2;
  }
  const partnership = partnershipById(loadLocalTemplate().partnershipId);
  if (webhookSecretOf !== undefined) {
    const [secret] = localWebhookSecrets(partnership.id)[webhookSecretOf] ?? [];
    if (!secret) {
      const known = partnership.referrerOrganisations.map((o) => o.id);
      console.error(`Unknown organisation "${webhookSecretOf}". Known:\n  ${known.join('\n  ')}`);
      return 2;
    }
    console.log(secret);
    return 0;
  }
  let tokenFor: LocalTokenFor;
  if (hub) tokenFor = { hub: partnership.id };
  else if (admin) tokenFor = { admin: partnership.id };
  else {
    const [kind, id, known] =
      provider !== undefined
        ? (['provider', provider, partnership.providers.map((p) => p.id)] as const)
        : spoke !== undefined
          ? (['spoke', spoke, partnership.spokes.map((s) => s.id)] as const)
          : ([
              'organisation',
              organisation ?? '',
              partnership.referrerOrganisations.map((o) => o.id),
            ] as const);
    if (!known.includes(id)) {
      console.error(
        `Unknown ${kind} "${id}" in ${partnership.name}. Known ${kind}s:\n  ${known.join('\n  ')}`,
      );
      return 2;
    }
    tokenFor = { [kind]: id } as LocalTokenFor;
  }
  let token: string;
  try {
    token = await signLocalToken(tokenFor, {
      subject: values.subject,
      expiresIn: values['expires-in'],
    });
  } catch (error) {
    // jose refuses a duration it cannot read with a TypeError.
    if (!(error instanceof TypeError)) throw error;
    console.error(`--expires-in "${values['expires-in']}" is not a duration (e.g. 30m, 8h, 2d)`);
    return 2;
  }
  console.log(token);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
