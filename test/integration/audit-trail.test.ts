import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken, type LocalTokenFor } from '#local/signing-key.ts';
import { auditTrailSchema, type AuditEntry } from '#shared/domain/audit.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { eventually, storedReferral } from '#test/helpers/runtime.ts';
import { auditReadPartition, referralPartition, tableKey } from '#shared/table/layout.ts';

const partnershipId = 'avon-and-somerset';
const provider = 'turning-point-admit';
const otherProvider = 'st-giles-sos';
const hospital = 'musgrove-park-hospital-ae';
const example = 'admit-friday-night.json';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
});

afterAll(async () => {
  await runtime?.stop();
});

/** One API call, signed in as `as`; the status and the parsed body, if any. */
async function call(
  as: LocalTokenFor,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await signLocalToken(as)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    text,
  };
}

/** Every personal value of the example: the young person's and the referrer's, and free text. */
function personalValues(): string[] {
  const body = exampleReferral(example) as {
    subject: Record<string, string>;
    referrer: Record<string, string>;
    summary: string;
  };
  return [
    body.subject.givenName!,
    body.subject.familyName!,
    body.subject.dateOfBirth!,
    body.subject.postcode!,
    body.referrer.name!,
    body.referrer.role!,
    body.referrer.email!,
    body.referrer.phone!,
    body.summary,
  ];
}

/** Every item the table holds in a partition, every attribute, straight from DynamoDB Local. */
async function partition(pk: string): Promise<Record<string, unknown>[]> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const { Items = [] } = await documents.send(
      new QueryCommand({
        TableName: runtime.tableNames[0],
        KeyConditionExpression: `${tableKey.partitionKey} = :pk`,
        ExpressionAttributeValues: { ':pk': pk },
      }),
    );
    return Items;
  } finally {
    documents.destroy();
  }
}

describe('the audit trail of a referral, on the embedded runtime', () => {
  it('holds every read and every change, in order, with who, role, when, what and why, and no personal data', async () => {
    // Prepare
    const startedAt = new Date().toISOString();
    const submitted = exampleReferral(example);
    const intake = await fetch(`${runtime.url}/v1/referrals`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await signLocalToken({ organisation: hospital })}`,
      },
      body: JSON.stringify(submitted),
    });
    expect(intake.status).toBe(202);
    const { referralId } = (await intake.json()) as { referralId: string };
    // Routing is recorded before the provider pulls, so the pull follows it in the trail.
    await eventually('routing recorded', async () => {
      const item = await storedReferral(runtime, referralId);
      return item?.routing ? item : undefined;
    });
    const as = { provider };
    const path = `/v1/providers/${provider}/referrals/${referralId}`;

    // Act
    const pulled = await eventually(`${referralId} pulled`, async () => {
      const next = await call(as, 'GET', `/v1/providers/${provider}/referrals/next`);
      const referral = next.body.referral as { referralId?: string } | undefined;
      return referral?.referralId === referralId ? next : undefined;
    });
    const read = await call(as, 'GET', path);
    const accepted = await call(as, 'POST', `${path}/accept`);
    const contact = { method: 'phone', result: 'no-answer', attemptedAt: new Date().toISOString() };
    const attempted = await call(as, 'POST', `${path}/contact-attempts`, contact);
    const engaged = await call(as, 'POST', `${path}/engaged`);
    const closed = await call(as, 'POST', `${path}/close`, { outcome: 'completed' });
    const refused = await call(
      { provider: otherProvider },
      'GET',
      `/v1/providers/${otherProvider}/referrals/${referralId}`,
    );
    const answered = await call(
      { admin: partnershipId },
      'GET',
      `/v1/admin/audit?referralId=${referralId}`,
    );
    const finishedAt = new Date().toISOString();

    // Assess
    expect([pulled, read, accepted, attempted, engaged, closed].map((r) => r.status)).toEqual([
      200, 200, 200, 200, 200, 200,
    ]);
    expect(refused.status).toBe(404);
    expect(answered.status).toBe(200);
    const trail = auditTrailSchema.parse(answered.body);
    expect(trail.referralId).toBe(referralId);
    expect(trail.cursor).toBeUndefined();

    const providerWho = { role: 'provider', id: provider, subject: `local-provider-${provider}` };
    const casework = { actor: providerWho, purpose: 'provider-casework' };
    const readOf = (action: string, detail?: string) => ({
      kind: 'read',
      action,
      ...casework,
      ...(detail ? { detail } : {}),
    });
    const change = (action: string, from: string, to: string, detail?: string) => ({
      kind: 'change',
      action,
      from,
      to,
      ...casework,
      ...(detail ? { detail } : {}),
    });
    const shape = ({ kind, action, actor, purpose, from, to, detail }: AuditEntry) => ({
      kind,
      action,
      actor,
      purpose,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(detail ? { detail } : {}),
    });
    expect(trail.entries.map(shape)).toEqual([
      {
        kind: 'change',
        action: 'referral.received',
        actor: { role: 'organisation', id: hospital },
        purpose: 'referral-management',
        to: 'received',
      },
      {
        kind: 'change',
        action: 'referral.routed',
        actor: { role: 'system', id: expect.stringMatching(/^route:somerset-/) },
        purpose: 'routing',
        from: 'received',
        to: 'routed',
        detail: `routed to ${provider}`,
      },
      readOf('referral.pulled'),
      readOf('referral.read'),
      change('referral.accepted', 'routed', 'accepted'),
      readOf('referral.command-answered', 'accept'),
      change(
        'referral.contact-attempted',
        'accepted',
        'contact-attempted',
        'contact by phone: no-answer',
      ),
      readOf('referral.command-answered', 'attempt-contact'),
      change('referral.engaged', 'contact-attempted', 'engaged'),
      readOf('referral.command-answered', 'engage'),
      change('referral.closed', 'engaged', 'closed', 'closed: completed'),
      readOf('referral.command-answered', 'close'),
    ]);

    // When: in order, within the test; each read names its own API request.
    const times = trail.entries.map((entry) => entry.at);
    expect([...times].sort()).toEqual(times);
    expect(times.every((at) => at >= startedAt.slice(0, 19) && at <= finishedAt)).toBe(true);
    const requests = trail.entries.filter((e) => e.kind === 'read').map((e) => e.correlationId);
    expect(new Set(requests).size).toBe(6);
    expect(requests.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);

    // No personal value in what the route answers, nor in any audit item the table holds.
    const stored = [
      ...(await partition(auditReadPartition(referralId))),
      ...(await partition(referralPartition(referralId))).filter(
        (item) => item.entity !== 'referral',
      ),
    ];
    expect(stored.filter((item) => item.entity === 'audit-read')).toHaveLength(6);
    // Received and routed are on the referral's own item; the four changes after have records.
    expect(stored.filter((item) => item.entity === 'transition')).toHaveLength(4);
    const held = JSON.stringify(stored);
    for (const value of personalValues()) {
      expect(answered.text).not.toContain(value);
      expect(held).not.toContain(value);
    }
    // The read records outlive the referral's own expiry.
    const referral = await storedReferral(runtime, referralId);
    for (const item of stored.filter((i) => i.entity === 'audit-read')) {
      expect(Number(item.expiresAt)).toBeGreaterThan(Number(referral?.expiresAt));
    }
  });

  it('answers 404 to an admin asking about a referral nobody has heard of', async () => {
    // Act
    const response = await call(
      { admin: partnershipId },
      'GET',
      '/v1/admin/audit?referralId=00000000-0000-4000-8000-000000000000',
    );

    // Assess
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 404 });
  });
});
