import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { partnershipById } from '#partnerships/index.ts';
import { webhookSecretsSchema, type WebhookSecrets } from '#shared/http/webhook-signature.ts';
import { replaceAtomically } from './key-files.ts';
import { defaultKeyDirectory } from './signing-key.ts';

/** Where the local runtime keeps one webhook secret per referrer organisation (mode 0600). */
export const defaultWebhookSecretsFile = path.join(defaultKeyDirectory, 'webhook-secrets.json');

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The local webhook secrets of a partnership's referrer organisations: made once per
 * organisation and kept in `file`, so `npm start` and `npm run token -- --webhook-secret` agree.
 */
export function localWebhookSecrets(
  partnershipId: string,
  file: string = defaultWebhookSecretsFile,
): WebhookSecrets {
  const stored = existsSync(file)
    ? webhookSecretsSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
    : {};
  const secrets: WebhookSecrets = { ...stored };
  for (const { id } of partnershipById(partnershipId).referrerOrganisations) {
    secrets[id] ??= [newWebhookSecret()];
  }
  if (JSON.stringify(secrets) !== JSON.stringify(stored)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    replaceAtomically(file, `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  }
  chmodSync(file, 0o600);
  return secrets;
}

/** The environment a function needs to check local webhook signatures (`webhookSecretsFromEnv`). */
export function localWebhookEnvironment(partnershipId: string | undefined): {
  WEBHOOK_SECRETS_JSON: string;
} {
  const secrets = partnershipId ? localWebhookSecrets(partnershipId) : {};
  return { WEBHOOK_SECRETS_JSON: JSON.stringify(secrets) };
}
