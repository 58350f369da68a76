import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exampleReferral } from '#test/helpers/examples.ts';
import { signedHeaders } from '#test/helpers/webhooks.ts';
import {
  apiEvent,
  captureOutput,
  fridayEvening,
  lambdaContext,
  parseResult,
  partnershipId,
  stubPersonalDataKeys,
  tableName,
} from './builders.ts';
import { testSigningKey } from './tokens.ts';

// The intake's idempotency, as its handler decides it: a delivery's key (an Idempotency-Key on
// POST /v1/referrals, a webhook-id on a webhook) and its body's hash are written in the same
// transaction as the referral. Concurrency itself is tested on DynamoDB Local
// (test/integration/idempotency.test.ts); here, what the handler does with each answer.

const hospital = 'musgrove-park-hospital-ae';
const secret = `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`;
const signingKey = testSigningKey();
signingKey.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
stubPersonalDataKeys();
vi.stubEnv('WEBHOOK_SECRETS_JSON', JSON.stringify({ [hospital]: [secret] }));
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/intake/handler.ts');

const context = lambdaContext('reachable-intake');
const admit = JSON.stringify(exampleReferral('admit-friday-night.json'));
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const firstReceipt = {
  referralId: '11111111-2222-4333-8444-555555555555',
  status: 'received',
  responseExpected: 'same-shift',
};

const post = async (body: string, headers: Record<string, string> = {}) =>
  parseResult(
    await handler(
      apiEvent({
        routeKey: 'POST /v1/referrals',
        rawPath: '/v1/referrals',
        body,
        headers: {
          'content-type': 'application/json',
          ...(await signingKey.bearer({ organisation: hospital })),
          ...headers,
        },
      }),
      context,
    ),
  );

const deliver = async (body: string, id: string) =>
  parseResult(
    await handler(
      apiEvent({
        routeKey: 'POST /v1/webhooks/{organisationId}/referrals',
        rawPath: `/v1/webhooks/${hospital}/referrals`,
        pathParameters: { organisationId: hospital },
        body,
        headers: signedHeaders(secret, body, { id, at: fridayEvening }),
      }),
      context,
    ),
  );

/** The record of a delivery taken first, as DynamoDB holds it. */
const deliveryItem = (pk: string, key: string, body: string, channel?: 'api') => ({
  PK: pk,
  SK: 'DELIVERY',
  entity: 'webhook-delivery',
  organisationId: hospital,
  webhookId: key,
  bodySha256: sha256(body),
  receipt: firstReceipt,
  expiresAt: Math.floor(fridayEvening.getTime() / 1000) + 7 * 86_400,
  ...(channel ? { channel } : {}),
});

/** A transaction refused because the delivery's key was taken: the record comes back with it. */
const keyTaken = (item?: Record<string, unknown>) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', ...(item ? { Item: marshall(item) } : {}) },
    ],
  });

/** A transaction refused because another was writing the delivery's record at that moment. */
const writeConflict = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
  });

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({});
  documents.on(PutCommand).resolves({});
  documents.on(TransactWriteCommand).resolves({});
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(fridayEvening);
  output = captureOutput();
});

afterAll(() => {
  signingKey.remove();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
});

describe('POST /v1/referrals with an Idempotency-Key', () => {
  it("writes the referral and the key's record, with the body's hash, in one transaction", async () => {
    // Act
    const response = await post(admit, { 'idempotency-key': 'case-4711' });

    // Assess
    expect(response.statusCode).toBe(202);
    const { referralId } = response.body as { referralId: string };
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
    const [transaction] = documents.commandCalls(TransactWriteCommand);
    const [referral, delivery] = transaction?.args[0].input.TransactItems ?? [];
    expect(referral?.Put?.Item).toMatchObject({ PK: `REFERRAL#${referralId}` });
    expect(delivery?.Put).toMatchObject({
      Item: {
        PK: `IDEMPOTENCY#${hospital}#case-4711`,
        SK: 'DELIVERY',
        bodySha256: sha256(admit),
        channel: 'api',
        receipt: { referralId },
      },
      ConditionExpression: 'attribute_not_exists(PK)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('answers a retry with the first answer and writes nothing', async () => {
    // Prepare
    documents
      .on(GetCommand, { Key: { PK: `IDEMPOTENCY#${hospital}#case-4711`, SK: 'DELIVERY' } })
      .resolves({
        Item: deliveryItem(`IDEMPOTENCY#${hospital}#case-4711`, 'case-4711', admit, 'api'),
      });

    // Act
    const response = await post(admit, { 'idempotency-key': 'case-4711' });

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.body).toEqual(firstReceipt);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses with 422 a key whose failed write returned a record of another body, never as the same request', async () => {
    // Prepare: the key was free when read, and taken by another body before the write.
    const other = JSON.stringify({ ...JSON.parse(admit), summary: 'Another referral entirely.' });
    documents
      .on(TransactWriteCommand)
      .rejects(
        keyTaken(deliveryItem(`IDEMPOTENCY#${hospital}#case-4711`, 'case-4711', other, 'api')),
      );

    // Act
    const response = await post(admit, { 'idempotency-key': 'case-4711' });

    // Assess
    expect(response.statusCode).toBe(422);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      type: 'https://reachable.dev/problems/idempotency-key-reused',
      title: 'Idempotency key used for another body',
      status: 422,
    });
    expect(JSON.stringify(response.body)).not.toContain(firstReceipt.referralId);
    // The record came back with the refusal: read once before, never after.
    expect(documents.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('answers the first answer when the failed write returned a record of the same body', async () => {
    // Prepare
    documents
      .on(TransactWriteCommand)
      .rejects(
        keyTaken(deliveryItem(`IDEMPOTENCY#${hospital}#case-4711`, 'case-4711', admit, 'api')),
      );

    // Act
    const response = await post(admit, { 'idempotency-key': 'case-4711' });

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.body).toEqual(firstReceipt);
  });

  it('reads the record when the failed write did not return it, and still compares the bodies', async () => {
    // Prepare
    const other = JSON.stringify({ ...JSON.parse(admit), summary: 'Another referral entirely.' });
    const key = { PK: `IDEMPOTENCY#${hospital}#case-4711`, SK: 'DELIVERY' };
    documents
      .on(GetCommand, { Key: key })
      .resolvesOnce({})
      .resolves({ Item: deliveryItem(key.PK, 'case-4711', other, 'api') });
    documents.on(TransactWriteCommand).rejects(keyTaken());

    // Act
    const response = await post(admit, { 'idempotency-key': 'case-4711' });

    // Assess
    expect(response.statusCode).toBe(422);
    expect(documents.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('reads again after its write conflicted with a copy written at the same moment, and answers the first answer', async () => {
    // Prepare: DynamoDB refuses one of two transactions on the same item at once.
    const key = { PK: `IDEMPOTENCY#${hospital}#case-4711`, SK: 'DELIVERY' };
    documents
      .on(GetCommand, { Key: key })
      .resolvesOnce({})
      .resolves({ Item: deliveryItem(key.PK, 'case-4711', admit, 'api') });
    documents.on(TransactWriteCommand).rejects(writeConflict());

    // Act
    const response = await post(admit, { 'idempotency-key': 'case-4711' });

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.body).toEqual(firstReceipt);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('answers 409 (try again) when its write keeps conflicting, having stored nothing itself', async () => {
    // Prepare
    documents.on(TransactWriteCommand).rejects(writeConflict());

    // Act
    const response = await post(admit, { 'idempotency-key': 'case-4711' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.contentType).toBe('application/problem+json');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['not printable ASCII', 'clé-4711'],
  ])(
    'answers 400 naming the header to a key that is %s, and stores nothing',
    async (_case, key) => {
      // Act
      const response = await post(admit, { 'idempotency-key': key });

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({
        errors: [
          { pointer: '/idempotency-key', detail: expect.stringContaining('Idempotency-Key') },
        ],
      });
      expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
      expect(documents.commandCalls(PutCommand)).toHaveLength(0);
    },
  );

  it('keeps API keys and webhook ids apart: the same string on both is two deliveries', async () => {
    // Prepare: a webhook delivery took "msg_1" for another body.
    const other = JSON.stringify({ ...JSON.parse(admit), summary: 'Another referral entirely.' });
    documents
      .on(GetCommand, { Key: { PK: `WEBHOOK#${hospital}#msg_1`, SK: 'DELIVERY' } })
      .resolves({ Item: deliveryItem(`WEBHOOK#${hospital}#msg_1`, 'msg_1', other) });

    // Act
    const response = await post(admit, { 'idempotency-key': 'msg_1' });

    // Assess
    expect(response.statusCode).toBe(202);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('a webhook delivery whose id was taken at the same moment', () => {
  it('refuses with 422 when the record the failed write returned is of another body', async () => {
    // Prepare
    const other = JSON.stringify({ ...JSON.parse(admit), summary: 'Another referral entirely.' });
    documents
      .on(TransactWriteCommand)
      .rejects(keyTaken(deliveryItem(`WEBHOOK#${hospital}#msg_9`, 'msg_9', other)));

    // Act
    const response = await deliver(admit, 'msg_9');

    // Assess
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatchObject({ title: 'Webhook id used for another body' });
  });

  it('answers the first answer when it is of the same body', async () => {
    // Prepare
    documents
      .on(TransactWriteCommand)
      .rejects(keyTaken(deliveryItem(`WEBHOOK#${hospital}#msg_9`, 'msg_9', admit)));

    // Act
    const response = await deliver(admit, 'msg_9');

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.body).toEqual(firstReceipt);
  });
});
