import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { webhookSecretsSchema, type WebhookSecrets } from '../http/webhook-signature.ts';

/** The current webhook secrets of one referrer organisation; none for an unknown one. */
export type WebhookSecretSource = (organisationId: string) => Promise<readonly string[]>;

// A rotated secret is picked up within five minutes, without a deploy.
const cacheSeconds = 300;

/**
 * Where a function finds the organisations' webhook secrets: `WEBHOOK_SECRETS_JSON` (the local
 * runtime's own, generated secrets) if set, else the Secrets Manager secret `WEBHOOK_SECRETS_ARN`
 * (JSON `{ "<organisationId>": ["whsec_…", …] }`, read through Powertools with a cache). Fails
 * loudly, naming the variable, when neither is usable.
 */
export function webhookSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSecretSource {
  const inline = env.WEBHOOK_SECRETS_JSON;
  if (inline) {
    const secrets = parseSecrets(safeJson(inline, 'WEBHOOK_SECRETS_JSON'), 'WEBHOOK_SECRETS_JSON');
    return async (organisationId) => secrets[organisationId] ?? [];
  }
  const arn = env.WEBHOOK_SECRETS_ARN;
  if (!arn) {
    throw new Error(
      'Environment variable WEBHOOK_SECRETS_ARN (or WEBHOOK_SECRETS_JSON) is not set',
    );
  }
  return async (organisationId) => {
    const stored = await getSecret(arn, { maxAge: cacheSeconds, transform: 'json' });
    return parseSecrets(stored ?? {}, `the secret ${arn}`)[organisationId] ?? [];
  };
}

function safeJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new Error(`Environment variable ${where} is not valid JSON`, { cause });
  }
}

function parseSecrets(value: unknown, where: string): WebhookSecrets {
  const parsed = webhookSecretsSchema.safeParse(value);
  if (!parsed.success) {
    // Names the organisation at fault, never a secret's value.
    const at = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`The webhook secrets in ${where} are not valid at: ${at}`);
  }
  return parsed.data;
}
