import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { newWebhookSecret } from '#local/webhook-secrets.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { eventually, storedReferral } from '#test/helpers/runtime.ts';
import { signedHeaders } from '#test/helpers/webhooks.ts';

const hospital = 'musgrove-park-hospital-ae';
const school = 'example-academy-bristol';
// The hospital is half-way through rotating its secret: both hold until the old one is removed.
const oldSecret = newWebhookSecret();
const newSecret = newWebhookSecret();
const schoolSecret = newWebhookSecret();

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({
    port: 0,
    environment: {
      WEBHOOK_SECRETS_JSON: JSON.stringify({
        [hospital]: [oldSecret, newSecret],
        [school]: [schoolSecret],
      }),
    },
  });
});

afterAll(async () => {
  await runtime?.stop();
});

let deliveries = 0;
/** A webhook id no other test uses. */
const newId = () => `msg_${Date.now()}_${++deliveries}`;

async function deliver(
  organisation: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${runtime.url}/v1/webhooks/${organisation}/referrals`, {
    method: 'POST',
    headers,
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** How many referrals the organisation has sent, as its own API lists them. */
async function referralsOf(organisation: string): Promise<number> {
  const token = await signLocalToken({ organisation });
  let count = 0;
  let cursor: string | undefined;
  do {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(
      `${runtime.url}/v1/organisations/${organisation}/referrals${query}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const page = (await response.json()) as { referrals: unknown[]; cursor?: string };
    count += page.referrals.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

const admit = JSON.stringify(exampleReferral('admit-friday-night.json'));

describe('signed webhooks from referrer systems (Standard Webhooks)', () => {
  it('takes a signed delivery, stores one referral and routes it like any other', async () => {
    // Prepare
    const before = await referralsOf(hospital);

    // Act
    const response = await deliver(
      hospital,
      admit,
      signedHeaders(newSecret, admit, { id: newId() }),
    );

    // Assess
    expect(response.status).toBe(202);
    const referralId = String(response.body.referralId);
    const routed = await eventually('routing', async () => {
      const item = await storedReferral(runtime, referralId);
      return item?.routing ? item : undefined;
    });
    expect(routed.providerId).toBe('turning-point-admit');
    expect(await referralsOf(hospital)).toBe(before + 1);
  });

  it('takes a delivery signed with the secret being rotated out', async () => {
    // Act
    const response = await deliver(
      hospital,
      admit,
      signedHeaders(oldSecret, admit, { id: newId() }),
    );

    // Assess
    expect(response.status).toBe(202);
  });

  it('answers a retry with the first answer and makes no second referral', async () => {
    // Prepare
    const id = newId();
    const first = await deliver(hospital, admit, signedHeaders(newSecret, admit, { id }));
    const before = await referralsOf(hospital);

    // Act: the sender retries later, signing again with a new timestamp.
    const retry = await deliver(hospital, admit, signedHeaders(newSecret, admit, { id }));

    // Assess
    expect(first.status).toBe(202);
    expect(retry).toEqual(first);
    expect(await referralsOf(hospital)).toBe(before);
  });

  it('makes one referral from ten copies of a delivery sent at once', async () => {
    // Prepare
    const id = newId();
    const before = await referralsOf(hospital);

    // Act
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        deliver(hospital, admit, signedHeaders(newSecret, admit, { id })),
      ),
    );

    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(new Set(responses.map((r) => r.body.referralId)).size).toBe(1);
    expect(await referralsOf(hospital)).toBe(before + 1);
  });

  it('refuses the same webhook id with a different body, with 422, storing nothing', async () => {
    // Prepare
    const id = newId();
    await deliver(hospital, admit, signedHeaders(newSecret, admit, { id }));
    const before = await referralsOf(hospital);
    const changed = JSON.stringify({ ...JSON.parse(admit), summary: 'Another young person.' });

    // Act
    const response = await deliver(hospital, changed, signedHeaders(newSecret, changed, { id }));

    // Assess
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ title: 'Webhook id used for another body' });
    expect(await referralsOf(hospital)).toBe(before);
  });

  it.each([
    ['unsigned', () => ({ 'content-type': 'application/json' })],
    ['signed with another organisation’s secret', () => signedHeaders(schoolSecret, admit)],
    [
      'signed over another body',
      () => signedHeaders(newSecret, admit.replace('Jordan', 'Jordon'), { id: newId() }),
    ],
    [
      'signed ten minutes ago',
      () => signedHeaders(newSecret, admit, { id: newId(), at: new Date(Date.now() - 600_000) }),
    ],
  ])('refuses a delivery %s with 401 and stores nothing', async (_case, headers) => {
    // Prepare
    const before = await referralsOf(hospital);

    // Act
    const response = await deliver(hospital, admit, headers());

    // Assess
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, title: 'Not signed in' });
    expect(JSON.stringify(response.body)).not.toContain('Jordan');
    expect(await referralsOf(hospital)).toBe(before);
  });

  it('refuses a referral signed by one organisation in the name of another, naming the field', async () => {
    // Act: the school signs the hospital's referral.
    const response = await deliver(
      school,
      admit,
      signedHeaders(schoolSecret, admit, { id: newId() }),
    );

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        pointer: '/referrer/organisationId',
        detail: `must be "${school}", the organisation the webhook is signed for`,
      },
    ]);
  });

  it('refuses an oversized body with 413 before checking anything, and a signed non-JSON body with 415', async () => {
    // Prepare
    const huge = JSON.stringify({ ...JSON.parse(admit), summary: 'x'.repeat(70_000) });
    const form = 'pathway=admit';

    // Act
    const tooLarge = await deliver(hospital, huge, { 'content-type': 'application/json' });
    const wrongType = await deliver(hospital, form, {
      ...signedHeaders(newSecret, form, { id: newId() }),
      'content-type': 'application/x-www-form-urlencoded',
    });

    // Assess
    expect(tooLarge.status).toBe(413);
    expect(wrongType.status).toBe(415);
  });
});
