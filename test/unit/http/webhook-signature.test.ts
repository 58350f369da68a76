import { describe, expect, it } from 'vitest';
import { webhookSecretsFromEnv } from '#shared/adapters/webhook-secrets.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import { verifyWebhook, webhookSecretSchema } from '#shared/http/webhook-signature.ts';
import { newWebhookSecret } from '#local/webhook-secrets.ts';
import { signedHeaders } from '#test/helpers/webhooks.ts';

const secret = newWebhookSecret();
const nextSecret = newWebhookSecret();
const body = '{"pathway":"admit"}';
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

function refusal(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthorizedError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('verifyWebhook: Standard Webhooks signatures', () => {
  it('accepts a delivery signed with the secret and answers its webhook id', () => {
    // Act
    const verified = verifyWebhook(body, signedHeaders(secret, body, { id: 'msg_42' }), [secret]);

    // Assess
    expect(verified).toEqual({ webhookId: 'msg_42' });
  });

  it('accepts either of two secrets while one is being rotated out', () => {
    // Act
    const withOld = verifyWebhook(body, signedHeaders(secret, body), [secret, nextSecret]);
    const withNew = verifyWebhook(body, signedHeaders(nextSecret, body), [secret, nextSecret]);

    // Assess
    expect(withOld.webhookId).toBe('msg_1');
    expect(withNew.webhookId).toBe('msg_1');
  });

  it('accepts a header carrying several signatures when one of them matches', () => {
    // Prepare
    const headers = signedHeaders(secret, body);
    const other = signedHeaders(nextSecret, body)['webhook-signature'];
    headers['webhook-signature'] = `${other} ${headers['webhook-signature']}`;

    // Act
    const verified = verifyWebhook(body, headers, [secret]);

    // Assess
    expect(verified.webhookId).toBe('msg_1');
  });

  it.each([
    ['a changed body', () => verifyWebhook(`${body} `, signedHeaders(secret, body), [secret])],
    ['another secret', () => verifyWebhook(body, signedHeaders(nextSecret, body), [secret])],
    ['an organisation without secrets', () => verifyWebhook(body, signedHeaders(secret, body), [])],
    [
      'a changed webhook id',
      () =>
        verifyWebhook(body, { ...signedHeaders(secret, body), 'webhook-id': 'msg_2' }, [secret]),
    ],
    [
      'a signature scheme other than v1',
      () =>
        verifyWebhook(
          body,
          {
            ...signedHeaders(secret, body),
            'webhook-signature': signedHeaders(secret, body)['webhook-signature']?.replace(
              'v1,',
              'v1a,',
            ),
          },
          [secret],
        ),
    ],
  ])('refuses %s: no signature matches', (_case, act) => {
    // Act
    const message = refusal(act);

    // Assess
    expect(message).toMatch(/no webhook-signature matches/);
  });

  it.each([
    ['6 minutes old', -6],
    ['6 minutes ahead', 6],
  ])('refuses a timestamp %s', (_case, offset) => {
    // Act
    const message = refusal(() =>
      verifyWebhook(body, signedHeaders(secret, body, { at: minutes(offset) }), [secret]),
    );

    // Assess
    expect(message).toMatch(/more than 5 minutes/);
  });

  it.each([
    ['4 minutes old', -4],
    ['4 minutes ahead', 4],
  ])('accepts a timestamp %s', (_case, offset) => {
    // Act
    const verified = verifyWebhook(body, signedHeaders(secret, body, { at: minutes(offset) }), [
      secret,
    ]);

    // Assess
    expect(verified.webhookId).toBe('msg_1');
  });

  it('names every missing header, whatever their case', () => {
    // Prepare
    const headers = { 'Webhook-Id': 'msg_1' };

    // Act
    const message = refusal(() => verifyWebhook(body, headers, [secret]));

    // Assess
    expect(message).toContain('webhook-timestamp, webhook-signature');
  });

  it('refuses a webhook id that is not 1 to 128 printable characters', () => {
    // Prepare
    const headers = { ...signedHeaders(secret, body), 'webhook-id': 'x'.repeat(129) };

    // Act
    const message = refusal(() => verifyWebhook(body, headers, [secret]));

    // Assess
    expect(message).toMatch(/webhook-id/);
  });
});

describe('webhookSecretsFromEnv: where the secrets come from', () => {
  it('reads inline secrets per organisation, none for an unknown one', async () => {
    // Prepare
    const source = webhookSecretsFromEnv({
      WEBHOOK_SECRETS_JSON: JSON.stringify({ 'example-academy-bristol': [secret, nextSecret] }),
    });

    // Act
    const known = await source('example-academy-bristol');
    const unknown = await source('somebody-else');

    // Assess
    expect(known).toEqual([secret, nextSecret]);
    expect(unknown).toEqual([]);
  });

  it.each([
    [{ WEBHOOK_SECRETS_JSON: '{' }, /WEBHOOK_SECRETS_JSON is not valid JSON/],
    [{ WEBHOOK_SECRETS_JSON: '{"a-school":["not-a-secret"]}' }, /not valid at: a-school\.0/],
    [{}, /WEBHOOK_SECRETS_ARN \(or WEBHOOK_SECRETS_JSON\) is not set/],
  ])('fails loudly on %j, never printing a secret', (env, message) => {
    // Act
    const act = () => webhookSecretsFromEnv(env);

    // Assess
    expect(act).toThrow(message);
  });

  it('makes secrets the schema accepts, each different', () => {
    // Act
    const made = [newWebhookSecret(), newWebhookSecret()];

    // Assess
    for (const one of made) expect(webhookSecretSchema.safeParse(one).success).toBe(true);
    expect(made[0]).not.toBe(made[1]);
  });
});
