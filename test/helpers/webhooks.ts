import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks headers for a body, computed from the spec rather than with the library the
 * service verifies with: `v1,` + base64 HMAC-SHA256, keyed by the secret's bytes after `whsec_`,
 * of `<id>.<unix seconds>.<body>`.
 */
export function signedHeaders(
  secret: string,
  body: string,
  { id = 'msg_1', at = new Date() }: { id?: string; at?: Date } = {},
): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}
