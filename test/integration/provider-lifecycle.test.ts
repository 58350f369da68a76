import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { Referrals } from '#shared/table/referrals.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import {
  destinationQueueUrl,
  eventually,
  referralIdsInQueue,
  storedReferral,
} from '#test/helpers/runtime.ts';
import {
  referralKey,
  referralPartition,
  tableKey,
  transitionSortKeyPrefix,
} from '#shared/table/layout.ts';

let runtime: Runtime;

beforeAll(async () => {
  // Short leases and a fast sweep, so expiry and deadlines can be seen within a test.
  runtime = await startRuntime({
    port: 0,
    environment: { LEASE_SECONDS: '2' },
    scheduleEveryMs: 500,
  });
});

afterAll(async () => {
  await runtime?.stop();
});

type Caller = { provider: string } | { organisation: string };

/** One API call as a signed-in provider or organisation; the parsed body when there is one. */
async function call(
  as: Caller | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (as) headers.authorization = `Bearer ${await signLocalToken(as)}`;
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

async function submit(example: string): Promise<string> {
  const response = await postReferral(runtime, exampleReferral(example));
  expect(response.status).toBe(202);
  return String(((await response.json()) as { referralId: unknown }).referralId);
}

/** Pulls until this referral comes out of the provider's queue (routing is asynchronous). */
async function pullUntil(providerId: string, referralId: string) {
  return eventually(`${referralId} in ${providerId}'s queue`, async () => {
    const pulled = await call(
      { provider: providerId },
      'GET',
      `/v1/providers/${providerId}/referrals/next`,
    );
    const referral = pulled.body.referral as { referralId?: string } | undefined;
    return referral?.referralId === referralId ? pulled.body : undefined;
  });
}

async function routed(referralId: string) {
  return eventually(`routing of ${referralId}`, async () => {
    const item = await storedReferral(runtime, referralId);
    return item?.routing ? item : undefined;
  });
}

/** The audit trail of a referral: each transition's from, to and why. */
async function auditTrail(referralId: string) {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: runtime.tableNames[0],
      KeyConditionExpression: `${tableKey.partitionKey} = :pk AND begins_with(${tableKey.sortKey}, :transition)`,
      ExpressionAttributeValues: {
        ':pk': referralPartition(referralId),
        ':transition': transitionSortKeyPrefix,
      },
    }),
  );
  documents.destroy();
  return Items.map((item) => ({ from: item.from, to: item.to, why: item.why, actor: item.actor }));
}

const provider = 'turning-point-admit';
const referralPath = (providerId: string, referralId: string) =>
  `/v1/providers/${providerId}/referrals/${referralId}`;

describe('a referral through its whole life, on the embedded runtime', () => {
  it('goes routed, accepted, contact attempted, engaged and closed, with an audit record for each', async () => {
    // Prepare
    const referralId = await submit('admit-friday-night.json');
    await pullUntil(provider, referralId);
    await routed(referralId);
    const path = referralPath(provider, referralId);
    const as = { provider };

    // Act
    const accepted = await call(as, 'POST', `${path}/accept`);
    const contact = { method: 'phone', result: 'no-answer', attemptedAt: new Date().toISOString() };
    const attempted = await call(as, 'POST', `${path}/contact-attempts`, contact);
    const attemptedAgain = await call(as, 'POST', `${path}/contact-attempts`, contact);
    const engaged = await call(as, 'POST', `${path}/engaged`);
    const closed = await call(as, 'POST', `${path}/close`, { outcome: 'completed' });
    const reopened = await call(as, 'POST', `${path}/engaged`);
    const listed = await call(as, 'GET', `/v1/providers/${provider}/referrals?status=closed`);

    // Assess
    expect([accepted, attempted, attemptedAgain, engaged, closed].map((r) => r.status)).toEqual([
      200, 200, 200, 200, 200,
    ]);
    expect(closed.body.referral).toMatchObject({
      status: 'closed',
      closeOutcome: 'completed',
      contactAttempts: [{ method: 'phone', result: 'no-answer' }],
    });
    expect(reopened.status).toBe(409);
    expect(reopened.body).toMatchObject({ currentStatus: 'closed', allowed: [] });
    const ids = (listed.body.referrals as { referralId: string }[]).map((r) => r.referralId);
    expect(ids).toContain(referralId);
    const trail = await eventually('the closing audit record', async () => {
      const records = await auditTrail(referralId);
      return records.some((r) => r.to === 'closed') ? records : undefined;
    });
    // Routed at intake, on the referral's own item: every transition after it has its record.
    expect(trail.map((r) => `${r.from}->${r.to}`)).toEqual([
      'routed->accepted',
      'accepted->contact-attempted',
      'contact-attempted->engaged',
      'engaged->closed',
    ]);
    expect(trail.find((r) => r.to === 'closed')).toMatchObject({
      why: 'closed: completed',
      actor: { kind: 'provider', id: provider },
    });
  });

  it('records a decline with its coded reason and takes the referral off the queue', async () => {
    // Prepare
    const referralId = await submit('admit-friday-night.json');
    await pullUntil(provider, referralId);
    await routed(referralId);

    // Act
    const missingDetails = await call(
      { provider },
      'POST',
      `${referralPath(provider, referralId)}/decline`,
      {
        reason: 'other',
      },
    );
    const declined = await call(
      { provider },
      'POST',
      `${referralPath(provider, referralId)}/decline`,
      {
        reason: 'no-capacity',
      },
    );

    // Assess
    expect(missingDetails.status).toBe(400);
    expect(missingDetails.body.errors).toEqual([
      { pointer: '/details', detail: 'must say why when the reason is "other"' },
    ]);
    expect(declined.status).toBe(200);
    expect(declined.body.referral).toMatchObject({
      status: 'declined',
      decline: { reason: 'no-capacity' },
    });
    const queue = await referralIdsInQueue(destinationQueueUrl(runtime, `provider:${provider}`));
    expect(queue.has(referralId)).toBe(false);
  });

  it('reroutes to another provider of the spoke, whose queue then holds it', async () => {
    // Prepare
    const referralId = await submit('weapons-possession-bristol.json');
    await pullUntil('bristol-safer-options', referralId);
    await routed(referralId);

    // Act
    const elsewhere = await call(
      { provider: 'bristol-safer-options' },
      'POST',
      `${referralPath('bristol-safer-options', referralId)}/reroute`,
      { toProviderId: 'turning-point-admit' },
    );
    const rerouted = await call(
      { provider: 'bristol-safer-options' },
      'POST',
      `${referralPath('bristol-safer-options', referralId)}/reroute`,
      { toProviderId: 'st-giles-sos' },
    );
    const pulled = await pullUntil('st-giles-sos', referralId);
    const accepted = await call(
      { provider: 'st-giles-sos' },
      'POST',
      `${referralPath('st-giles-sos', referralId)}/accept`,
    );
    const formerProvider = await call(
      { provider: 'bristol-safer-options' },
      'GET',
      referralPath('bristol-safer-options', referralId),
    );

    // Assess
    expect(elsewhere.status).toBe(400);
    expect(rerouted.body.referral).toMatchObject({ status: 'rerouted' });
    expect(pulled.referral).toMatchObject({ referralId, status: 'rerouted' });
    expect(accepted.body.referral).toMatchObject({ status: 'accepted' });
    expect(formerProvider.status).toBe(404);
  });

  it('puts a pulled referral back for pulling when its lease runs out, and extends a lease held', async () => {
    // Prepare
    const referralId = await submit('admit-friday-night.json');
    const first = await pullUntil(provider, referralId);

    // Act
    const extended = await call(
      { provider },
      'POST',
      `${referralPath(provider, referralId)}/lease`,
    );
    await sleep(4_500);
    const again = await pullUntil(provider, referralId);
    await routed(referralId);
    await call({ provider }, 'POST', `${referralPath(provider, referralId)}/accept`);

    // Assess
    expect(extended.status).toBe(200);
    const leaseOf = (pulled: Record<string, unknown>) =>
      (pulled.lease as { expiresAt: string }).expiresAt;
    expect(Date.parse((extended.body.lease as { expiresAt: string }).expiresAt)).toBeGreaterThan(
      Date.parse(leaseOf(first)),
    );
    expect(Date.parse(leaseOf(again))).toBeGreaterThan(Date.parse(leaseOf(first)));
  });

  it('lets the referring organisation see status and dates of its own referrals only, and withdraw one', async () => {
    // Prepare
    const referralId = await submit('admit-friday-night.json');
    await routed(referralId);
    const organisation = 'musgrove-park-hospital-ae';
    const path = `/v1/organisations/${organisation}/referrals`;

    // Act
    const listed = await call({ organisation }, 'GET', path);
    const other = await call(
      { organisation: 'example-academy-bristol' },
      'GET',
      `/v1/organisations/example-academy-bristol/referrals/${referralId}`,
    );
    const unsigned = await call(undefined, 'GET', path);
    const withdrawn = await call({ organisation }, 'POST', `${path}/${referralId}/withdraw`);
    const accept = await call({ provider }, 'POST', `${referralPath(provider, referralId)}/accept`);

    // Assess
    const mine = (listed.body.referrals as Record<string, unknown>[]).find(
      (r) => r.referralId === referralId,
    );
    expect(mine).toMatchObject({ status: 'routed', pathway: 'admit' });
    expect(JSON.stringify(listed.body)).not.toContain('Jordan');
    expect(other.status).toBe(404);
    expect(unsigned.status).toBe(401);
    expect(withdrawn.body.referral).toMatchObject({ status: 'withdrawn' });
    expect(accept.status).toBe(409);
  });

  it('answers 401 without a token and 404 to another provider on every provider route', async () => {
    // Prepare
    const referralId = await submit('admit-friday-night.json');
    await routed(referralId);
    const path = referralPath(provider, referralId);
    const routes: [string, string, unknown?][] = [
      ['GET', `/v1/providers/${provider}/referrals`],
      ['GET', `/v1/providers/${provider}/referrals/next`],
      ['GET', path],
      ['POST', `${path}/lease`],
      ['POST', `${path}/accept`],
      ['POST', `${path}/decline`, { reason: 'no-capacity' }],
      [
        'POST',
        `${path}/contact-attempts`,
        { method: 'phone', result: 'reached', attemptedAt: new Date().toISOString() },
      ],
      ['POST', `${path}/engaged`],
      ['POST', `${path}/close`, { outcome: 'completed' }],
      ['POST', `${path}/reroute`, { toProviderId: 'st-giles-sos' }],
      ['GET', `/v1/providers/${provider}/capacity`],
      ['PUT', `/v1/providers/${provider}/capacity`, { status: 'closed' }],
    ];

    // Act
    const unsigned = await Promise.all(
      routes.map(([method, url, body]) => call(undefined, method, url, body)),
    );
    const another = await Promise.all(
      routes.map(([method, url, body]) => call({ provider: 'st-giles-sos' }, method, url, body)),
    );

    // Assess
    expect(unsigned.map((r) => r.status)).toEqual(routes.map(() => 401));
    expect(another.map((r) => r.status)).toEqual(routes.map(() => 404));
    expect((await storedReferral(runtime, referralId))?.status).toBe('routed');
  });

  it('flags a missed deadline once and sends referral.overdue to the escalation queue', async () => {
    // Prepare: a routed referral whose acceptance deadline has passed, written through the store.
    const referralId = await submit('admit-friday-night.json');
    const item = await routed(referralId);
    const store = new Referrals({ tableName: runtime.tableNames[0] ?? '' });
    const deadlines = {
      acceptBy: new Date(Date.now() - 60_000).toISOString(),
      firstContactBy: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    await documents.send(
      new UpdateCommand({
        TableName: runtime.tableNames[0],
        Key: referralKey(referralId),
        UpdateExpression: 'SET deadlines = :deadlines',
        ExpressionAttributeValues: { ':deadlines': deadlines },
      }),
    );
    documents.destroy();
    const referral = await store.get(referralId);
    if (!referral) throw new Error('the referral is gone');
    await store.refreshDeadlineIndex(referral);

    // Act
    const flagged = await eventually('the overdue flag', async () => {
      const stored = await storedReferral(runtime, referralId);
      return (stored?.overdue as { accept?: string } | undefined)?.accept ? stored : undefined;
    });
    await sleep(1_500); // a few more sweeps
    const escalations = await eventually('the overdue message', async () => {
      const ids = await referralIdsInQueue(destinationQueueUrl(runtime, 'escalation'));
      return ids.has(referralId) ? ids : undefined;
    });
    const trail = await auditTrail(referralId);

    // Assess
    expect(item.status).toBe('routed');
    expect(flagged.overdue).toEqual({ accept: expect.any(String) });
    expect(escalations.has(referralId)).toBe(true);
    expect(trail.filter((r) => r.why === 'overdue: accept')).toHaveLength(1);
  });
});
