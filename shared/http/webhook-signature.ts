import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { z } from 'zod';
import { UnauthorizedError } from '../errors.ts';
import { headerIn } from './body.ts';

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const webhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'must be "whsec_" and base64 of 24 to 64 bytes');

/** Per organisation, the secrets its signatures may use: two at once while rotating. */
export const webhookSecretsSchema = z.record(
  z.string(),
  z.array(webhookSecretSchema).min(1).max(3),
);
export type WebhookSecrets = z.infer<typeof webhookSecretsSchema>;

/** The `webhook-id`: what a sender keeps the same when it retries a delivery. */
const webhookIdSchema = z.string().regex(/^[\x21-\x7e]{1,128}$/);

/**
 * Verifies a Standard Webhooks delivery (`webhook-id`, `webhook-timestamp` within 5 minutes,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`) against any of the
 * organisation's current secrets, compared in constant time by the `standardwebhooks` library.
 * Answers the webhook id; every failure is one `UnauthorizedError` that says what to check but
 * never which secret or signature came close.
 */
export function verifyWebhook(
  rawBody: string,
  headers: Record<string, string | undefined>,
  secrets: readonly string[],
): { webhookId: string } {
  const wanted = {
    'webhook-id': headerIn(headers, 'webhook-id'),
    'webhook-timestamp': headerIn(headers, 'webhook-timestamp'),
    'webhook-signature': headerIn(headers, 'webhook-signature'),
  };
  const missing = Object.entries(wanted).filter(([, value]) => !value);
  if (missing.length > 0) {
    throw new UnauthorizedError(
      `The delivery is not signed: the ${missing.map(([name]) => name).join(', ')} header is missing.`,
    );
  }
  const webhookId = wanted['webhook-id'] ?? '';
  if (!webhookIdSchema.safeParse(webhookId).success) {
    throw new UnauthorizedError('The webhook-id header must be 1 to 128 printable characters.');
  }
  let lastFailure: unknown;
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(rawBody, wanted as Record<string, string>, { jsonParse: false });
      return { webhookId };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      lastFailure = error;
    }
  }
  const reason =
    lastFailure instanceof Error && /timestamp/i.test(lastFailure.message)
      ? 'its webhook-timestamp is more than 5 minutes from our clock (or not a Unix time)'
      : 'no webhook-signature matches a current secret of the organisation';
  throw new UnauthorizedError(`The delivery's signature does not hold: ${reason}.`);
}
