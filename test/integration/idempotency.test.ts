import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { newWebhookSecret } from '#local/webhook-secrets.ts';
import { dynamoDocumentClient } from '#shared/adapters/clients.ts';
import { setLocalClockOffset } from '#shared/clock.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { injectFault, type Fault } from '#test/helpers/faults.ts';
import { referredIn, routedEventMessage } from '#test/helpers/lifecycle-events.ts';
import {
  eventually,
  projectionQueueDrained,
  storedReferral,
  transitionsOf,
} from '#test/helpers/runtime.ts';
import { signedHeaders } from '#test/helpers/webhooks.ts';
import { lambdaContext } from '#test/unit/functions/builders.ts';
import { countedFactKey, deliveryKey, tableKey } from '#shared/table/layout.ts';

// Every handler with a side effect, on the embedded runtime (DynamoDB Local, fauxqs, the local
// bus): a duplicate sent again later, ten copies at once, a crash after the write and before the
// answer (the write is made, then the answer is lost: a fault in the one SDK client the handlers
// share), and the same key or transition with different data, which must be refused.
//
// How each is idempotent:
// - intake (JSON with Idempotency-Key, webhooks by webhook-id): the key's record, with the body's
//   hash and the answer, is written in the referral's own transaction;
// - provider commands and withdrawal: conditional writes on the referral's state; a command
//   the referral already shows is a repeat and answers as it is now;
// - routing: decided at intake and written with the referral, so it is recorded once with it;
// - projector: one marker item per counted fact of a referral;
// - sla-sweep: the overdue flag on the referral, set once by a conditional write.

const hospital = 'musgrove-park-hospital-ae';
const provider = 'turning-point-admit';
const webhookSecret = newWebhookSecret();

let runtime: Runtime;
let sqs: SQSClient;
let fault: Fault | undefined;

beforeAll(async () => {
  runtime = await startRuntime({
    port: 0,
    environment: { WEBHOOK_SECRETS_JSON: JSON.stringify({ [hospital]: [webhookSecret] }) },
    // A failed queue message is received again after 2 seconds, not a minute.
    queueVisibilitySeconds: 2,
  });
  sqs = new SQSClient({});
});

afterEach(() => {
  fault?.remove();
  fault = undefined;
});

afterAll(async () => {
  setLocalClockOffset(0);
  sqs?.destroy();
  await runtime?.stop();
});

type Caller = { provider: string } | { organisation: string };
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  as: Caller,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await signLocalToken(as)}`,
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const admit = JSON.stringify(exampleReferral('admit-friday-night.json'));
const otherAdmit = JSON.stringify({ ...JSON.parse(admit), summary: 'Another young person.' });
const asHospital = { organisation: hospital };

const postKeyed = (key: string, body = admit) =>
  call(asHospital, 'POST', '/v1/referrals', body, { 'idempotency-key': key });

const deliver = async (id: string, body = admit): Promise<Answer> => {
  const response = await fetch(`${runtime.url}/v1/webhooks/${hospital}/referrals`, {
    method: 'POST',
    headers: signedHeaders(webhookSecret, body, { id }),
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
};

/** How many referrals the hospital has sent, as its own API lists them. */
async function referralsOfHospital(): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const { body } = await call(
      asHospital,
      'GET',
      `/v1/organisations/${hospital}/referrals${query}`,
    );
    count += (body.referrals as unknown[]).length;
    cursor = body.cursor as string | undefined;
  } while (cursor);
  return count;
}

/** The answer to a crash after the write: a 500, the referral stored or the change made. */
const crashAfterWrite = (...needles: string[]) =>
  injectFault(dynamoDocumentClient(), {
    when: 'after',
    matches: ({ commandName, input }) =>
      commandName.startsWith('TransactWrite') && needles.every((needle) => input.includes(needle)),
    times: 1,
  });

const uniqueKey = () => `key-${randomUUID()}`;

async function submit(): Promise<string> {
  const { status, body } = await call(asHospital, 'POST', '/v1/referrals', admit);
  expect(status).toBe(202);
  return String(body.referralId);
}

async function routed(referralId: string) {
  return eventually(`routing of ${referralId}`, async () => {
    const item = await storedReferral(runtime, referralId);
    return item?.routing ? item : undefined;
  });
}

/** The transitions into a status (not the overdue flags, nor records made while in it). */
async function transitionsTo(referralId: string, to: string) {
  return (await transitionsOf(runtime, referralId)).filter(
    (t) => t.to === to && t.from !== to && !t.eventType,
  );
}

const referralPath = (referralId: string) => `/v1/providers/${provider}/referrals/${referralId}`;
const asProvider = { provider };

describe('intake: POST /v1/referrals with an Idempotency-Key', () => {
  it('answers a sequential duplicate with the first answer and makes one referral', async () => {
    // Prepare
    const key = uniqueKey();
    const before = await referralsOfHospital();

    // Act
    const first = await postKeyed(key);
    const again = await postKeyed(key);

    // Assess
    expect(first.status).toBe(202);
    expect(again).toEqual(first);
    expect(await referralsOfHospital()).toBe(before + 1);
  });

  it('makes one referral from ten copies sent at once', async () => {
    // Prepare
    const key = uniqueKey();
    const before = await referralsOfHospital();

    // Act
    const answers = await Promise.all(Array.from({ length: 10 }, () => postKeyed(key)));

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(202));
    expect(new Set(answers.map((answer) => answer.body.referralId)).size).toBe(1);
    expect(await referralsOfHospital()).toBe(before + 1);
  });

  it('refuses with 422 the copies sent at once with another body, taking one body only', async () => {
    // Prepare: five copies of one body and five of another race for the same key.
    const key = uniqueKey();
    const before = await referralsOfHospital();

    // Act
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) => postKeyed(key, index % 2 ? otherAdmit : admit)),
    );

    // Assess: one body won; every copy of it got its answer, every copy of the other a 422.
    const won = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status === 422);
    expect(won).toHaveLength(5);
    expect(refused).toHaveLength(5);
    expect(new Set(won.map((answer) => answer.body.referralId)).size).toBe(1);
    expect(refused[0]?.body).toMatchObject({ title: 'Idempotency key used for another body' });
    expect(await referralsOfHospital()).toBe(before + 1);
  });

  it('answers a retry after a crash between the write and the answer with what was stored', async () => {
    // Prepare
    const key = uniqueKey();
    const before = await referralsOfHospital();
    fault = crashAfterWrite(key);

    // Act
    const crashed = await postKeyed(key);
    const retry = await postKeyed(key);

    // Assess
    expect(fault.failed).toBe(1);
    expect(crashed.status).toBe(500);
    expect(crashed.body).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(retry.status).toBe(202);
    expect(await storedReferral(runtime, String(retry.body.referralId))).toBeDefined();
    expect(await referralsOfHospital()).toBe(before + 1);
  });
});

describe('intake: signed webhooks', () => {
  it('answers a retry after a crash between the write and the answer with what was stored', async () => {
    // Prepare
    const id = `msg_${randomUUID()}`;
    const before = await referralsOfHospital();
    fault = crashAfterWrite(id);

    // Act
    const crashed = await deliver(id);
    const retry = await deliver(id);

    // Assess
    expect(crashed.status).toBe(500);
    expect(retry.status).toBe(202);
    expect(await storedReferral(runtime, String(retry.body.referralId))).toBeDefined();
    expect(await referralsOfHospital()).toBe(before + 1);
  });

  it('still answers a retry from a delivery record past its expiry that DynamoDB has not removed yet', async () => {
    // Prepare: TTL removes expired items lazily, often a day or two after `expiresAt`.
    const id = `msg_${randomUUID()}`;
    const first = await deliver(id);
    await deliveryRecord(id, 'expire');
    const before = await referralsOfHospital();

    // Act
    const retry = await deliver(id);

    // Assess
    expect(retry).toEqual(first);
    expect(await referralsOfHospital()).toBe(before);
  });

  it('takes a retry after its record was removed (7 days and more) as a new delivery: a second referral', async () => {
    // Prepare: the sender retries after the record's TTL removed it. Decided and documented
    // (README, "When something goes wrong"): senders stop retrying long before 7 days.
    const id = `msg_${randomUUID()}`;
    const first = await deliver(id);
    await deliveryRecord(id, 'remove');
    const before = await referralsOfHospital();

    // Act
    const retry = await deliver(id);

    // Assess
    expect(retry.status).toBe(202);
    expect(retry.body.referralId).not.toBe(first.body.referralId);
    expect(await referralsOfHospital()).toBe(before + 1);
  });
});

/** Ages a webhook's delivery record past its expiry, or removes it as DynamoDB's TTL would. */
async function deliveryRecord(webhookId: string, what: 'expire' | 'remove'): Promise<void> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const Key = deliveryKey(hospital, webhookId);
  const TableName = runtime.tableNames[0];
  try {
    await documents.send(
      what === 'remove'
        ? new DeleteCommand({
            TableName,
            Key,
            ConditionExpression: `attribute_exists(${tableKey.partitionKey})`,
          })
        : new UpdateCommand({
            TableName,
            Key,
            UpdateExpression: 'SET expiresAt = :past',
            ConditionExpression: `attribute_exists(${tableKey.partitionKey})`,
            ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 86_400 },
          }),
    );
  } finally {
    documents.destroy();
  }
}

/** A referral routed to the provider, taken from its queue with a lease. */
async function leasedReferral(): Promise<string> {
  const referralId = await submit();
  await routed(referralId);
  await eventually(`${referralId} pulled`, async () => {
    const pulled = await call(asProvider, 'GET', `/v1/providers/${provider}/referrals/next`);
    return (pulled.body.referral as { referralId?: string } | undefined)?.referralId === referralId
      ? true
      : undefined;
  });
  return referralId;
}

describe('provider commands', () => {
  it('has one effect for a sequential duplicate, answering it as the referral now is', async () => {
    // Prepare
    const referralId = await leasedReferral();

    // Act
    const first = await call(asProvider, 'POST', `${referralPath(referralId)}/accept`);
    const again = await call(asProvider, 'POST', `${referralPath(referralId)}/accept`);

    // Assess
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect(await transitionsTo(referralId, 'accepted')).toHaveLength(1);
  });

  it('has one effect for ten copies sent at once', async () => {
    // Prepare
    const referralId = await leasedReferral();

    // Act
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(asProvider, 'POST', `${referralPath(referralId)}/decline`, { reason: 'no-capacity' }),
      ),
    );

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(await transitionsTo(referralId, 'declined')).toHaveLength(1);
  });

  it('answers a retry after a crash between the write and the answer as the first, with one effect', async () => {
    // Prepare
    const referralId = await leasedReferral();
    fault = crashAfterWrite(referralId, '"accepted"');

    // Act
    const crashed = await call(asProvider, 'POST', `${referralPath(referralId)}/accept`);
    const retry = await call(asProvider, 'POST', `${referralPath(referralId)}/accept`);

    // Assess
    expect(crashed.status).toBe(500);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ referral: { referralId, status: 'accepted' } });
    expect(await transitionsTo(referralId, 'accepted')).toHaveLength(1);
  });

  it('refuses with 409 the same command repeated with different data, changing nothing', async () => {
    // Prepare
    const referralId = await leasedReferral();
    const declined = await call(asProvider, 'POST', `${referralPath(referralId)}/decline`, {
      reason: 'other',
      details: 'Already supported by another service',
    });

    // Act
    const otherReason = await call(asProvider, 'POST', `${referralPath(referralId)}/decline`, {
      reason: 'not-eligible',
    });
    const otherDetails = await call(asProvider, 'POST', `${referralPath(referralId)}/decline`, {
      reason: 'other',
      details: 'Moved out of the area',
    });

    // Assess
    expect(declined.status).toBe(200);
    for (const refused of [otherReason, otherDetails]) {
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ status: 409, currentStatus: 'declined' });
    }
    expect(await transitionsTo(referralId, 'declined')).toHaveLength(1);
    const stored = await storedReferral(runtime, referralId);
    // The first decline's details are kept, sealed: never in the clear in the table.
    expect(stored?.decline).toEqual({ reason: 'other' });
    expect(stored?.declineDetailsSealed).toBeInstanceOf(Uint8Array);
    const repeated = await call(asProvider, 'POST', `${referralPath(referralId)}/decline`, {
      reason: 'other',
      details: 'Already supported by another service',
    });
    expect(repeated.status).toBe(200);
  });
});

describe('withdrawal by the referrer', () => {
  const withdraw = (referralId: string) =>
    call(asHospital, 'POST', `/v1/organisations/${hospital}/referrals/${referralId}/withdraw`);

  it('has one effect for a sequential duplicate and for ten copies at once', async () => {
    // Prepare
    const [once, atOnce] = [await submit(), await submit()];

    // Act
    const sequential = [await withdraw(once), await withdraw(once)];
    const parallel = await Promise.all(Array.from({ length: 10 }, () => withdraw(atOnce)));

    // Assess
    expect([...sequential, ...parallel].map((answer) => answer.status)).toEqual(
      Array(12).fill(200),
    );
    // The same withdrawal: its moment kept (routing may record itself on it in between).
    const withdrawnAt = (answer: Answer | undefined) =>
      (answer?.body.referral as { milestones?: { withdrawnAt?: string } } | undefined)?.milestones
        ?.withdrawnAt;
    expect(withdrawnAt(sequential[1])).toBe(withdrawnAt(sequential[0]));
    expect(withdrawnAt(sequential[0])).toEqual(expect.any(String));
    expect(await transitionsTo(once, 'withdrawn')).toHaveLength(1);
    expect(await transitionsTo(atOnce, 'withdrawn')).toHaveLength(1);
  });

  it('answers a retry after a crash between the write and the answer as the first, with one effect', async () => {
    // Prepare
    const referralId = await submit();
    fault = crashAfterWrite(referralId, '"withdrawn"');

    // Act
    const crashed = await withdraw(referralId);
    const retry = await withdraw(referralId);

    // Assess
    expect(crashed.status).toBe(500);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ referral: { referralId, status: 'withdrawn' } });
    expect(await transitionsTo(referralId, 'withdrawn')).toHaveLength(1);
  });
});

describe('projector (hub projection queue)', () => {
  const projectionQueue = () =>
    [...runtime.queueUrls].find(([id]) => id.startsWith('HubProjectionQueue'))?.[1] ?? '';

  it('counts a fact once for a sequential duplicate and for ten copies at once', async () => {
    // Prepare
    const [sequentialMonth, parallelMonth] = ['2018-01', '2018-02'];
    const [once, atOnce] = [randomUUID(), randomUUID()];
    const sequentialEvent = routedEventMessage(once, sequentialMonth);

    // Act
    await sqs.send(
      new SendMessageCommand({ QueueUrl: projectionQueue(), MessageBody: sequentialEvent }),
    );
    await projectionQueueDrained(runtime);
    await sqs.send(
      new SendMessageCommand({ QueueUrl: projectionQueue(), MessageBody: sequentialEvent }),
    );
    const parallelEvent = routedEventMessage(atOnce, parallelMonth);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: projectionQueue(),
        Entries: Array.from({ length: 10 }, (_, index) => ({
          Id: String(index),
          MessageBody: parallelEvent,
        })),
      }),
    );
    await projectionQueueDrained(runtime);

    // Assess
    expect(await referredIn(runtime, sequentialMonth)).toBe(1);
    expect(await referredIn(runtime, parallelMonth)).toBe(1);
  });

  it('counts a fact once when the first attempt crashed after its write', async () => {
    // Prepare
    const month = '2018-03';
    const referralId = randomUUID();
    fault = injectFault(dynamoDocumentClient(), {
      when: 'after',
      matches: ({ commandName, input }) =>
        commandName.startsWith('TransactWrite') &&
        input.includes(countedFactKey(referralId, 'referred').SK) &&
        input.includes(referralId),
      times: 1,
    });

    // Act
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: projectionQueue(),
        MessageBody: routedEventMessage(referralId, month),
      }),
    );
    const crashed = fault;
    await eventually('the crash', async () => (crashed.failed === 1 ? true : undefined));
    await projectionQueueDrained(runtime);

    // Assess
    expect(await referredIn(runtime, month)).toBe(1);
  });
});

describe('sla-sweep', () => {
  const sweepContext = lambdaContext('reachable-sla-sweep');
  const scheduled = (): ScheduledEvent => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'eu-west-2',
    resources: [],
    detail: {},
  });
  const sweep = async () => {
    const { handler } = await import('#functions/sla-sweep/handler.ts');
    return handler(scheduled(), sweepContext);
  };

  /** A referral received ten days ago and never accepted: both its deadlines are missed. */
  async function overdueReferral(): Promise<string> {
    setLocalClockOffset(-10 * 24 * 60 * 60 * 1000);
    try {
      return await submit();
    } finally {
      setLocalClockOffset(0);
    }
  }

  const overdueFlags = async (referralId: string) =>
    (await transitionsOf(runtime, referralId))
      .filter((t) => t.eventType === 'referral.overdue')
      .map((t) => String(t.why))
      .sort();

  it('flags each missed deadline once for sweeps run again and ten at once', async () => {
    // Prepare
    const referralId = await overdueReferral();

    // Act
    await Promise.all(Array.from({ length: 10 }, () => sweep()));
    await sweep();

    // Assess
    expect(await overdueFlags(referralId)).toEqual(['overdue: accept', 'overdue: first-contact']);
  });

  it('flags once when a sweep crashed after a flag was written', async () => {
    // Prepare
    const referralId = await overdueReferral();
    fault = crashAfterWrite(referralId, 'overdue-accept');

    // Act
    const crashed = await sweep().then(
      () => undefined,
      (error: unknown) => error,
    );
    await sweep();

    // Assess
    expect((crashed as Error | undefined)?.name).toBe('InjectedLostAnswer');
    expect(await overdueFlags(referralId)).toEqual(['overdue: accept', 'overdue: first-contact']);
  });
});
