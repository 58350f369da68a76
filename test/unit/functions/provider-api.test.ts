import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toEventDetail, type Referral } from '#shared/domain/referral.ts';
import {
  apiEvent,
  captureOutput,
  lambdaContext,
  parseResult,
  partnershipId,
  personalValuesOf,
  referralFromExample,
  referralItem,
  routedReferral,
  sealedReferralItem,
  stubPersonalDataKeys,
  tableName,
  testCipher,
} from './builders.ts';
import { testSigningKey } from './tokens.ts';

const provider = 'turning-point-admit';
const otherProvider = 'st-giles-sos';
const queueUrls = {
  [provider]: 'https://sqs.eu-west-2.amazonaws.com/123456789012/reachable-turning-point-admit',
  [otherProvider]: 'https://sqs.eu-west-2.amazonaws.com/123456789012/reachable-st-giles-sos',
};

const signingKey = testSigningKey();
signingKey.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
stubPersonalDataKeys();
vi.stubEnv('PROVIDER_QUEUE_URLS', JSON.stringify(queueUrls));
vi.stubEnv('LEASE_SECONDS', undefined);
const documents = mockClient(DynamoDBDocumentClient);
const queues = mockClient(SQSClient);
const { handler } = await import('#functions/provider-api/handler.ts');

const context = lambdaContext('reachable-provider-api');
const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const now = new Date('2026-11-20T23:00:00.000Z');
const fiveMinutesLater = new Date(now.getTime() + 5 * 60 * 1000).toISOString();
const fifteenMinutesLater = new Date(now.getTime() + 15 * 60 * 1000).toISOString();
const referralKey = { PK: `REFERRAL#${referralId}`, SK: 'REFERRAL' };

const routes = {
  list: 'GET /v1/providers/{providerId}/referrals',
  next: 'GET /v1/providers/{providerId}/referrals/next',
  get: 'GET /v1/providers/{providerId}/referrals/{referralId}',
  lease: 'POST /v1/providers/{providerId}/referrals/{referralId}/lease',
  accept: 'POST /v1/providers/{providerId}/referrals/{referralId}/accept',
  decline: 'POST /v1/providers/{providerId}/referrals/{referralId}/decline',
  contact: 'POST /v1/providers/{providerId}/referrals/{referralId}/contact-attempts',
  engaged: 'POST /v1/providers/{providerId}/referrals/{referralId}/engaged',
  close: 'POST /v1/providers/{providerId}/referrals/{referralId}/close',
  reroute: 'POST /v1/providers/{providerId}/referrals/{referralId}/reroute',
  getCapacity: 'GET /v1/providers/{providerId}/capacity',
  putCapacity: 'PUT /v1/providers/{providerId}/capacity',
} as const;
const referralRoutes = Object.values(routes).filter((key) => key.includes('{referralId}'));

/** A body each route accepts, so a refusal can only come from who is asking. */
const validBodies: Partial<Record<string, unknown>> = {
  [routes.decline]: { reason: 'no-capacity' },
  [routes.contact]: {
    method: 'phone',
    result: 'no-answer',
    attemptedAt: '2026-11-20T22:55:00.000Z',
  },
  [routes.close]: { outcome: 'completed' },
  [routes.reroute]: { toProviderId: otherProvider },
  [routes.putCapacity]: { status: 'open' },
};

const received = () => referralFromExample('admit-friday-night.json', referralId);
const routedTo = (providerId: string): Referral =>
  routedReferral(received(), `somerset-${providerId}`, { kind: 'provider', providerId });
const leasedTo = (providerId: string, expiresAt = fifteenMinutesLater): Referral => ({
  ...routedTo(providerId),
  lease: { providerId, receiptHandle: 'receipt-1', expiresAt },
});
/** The referral in a later status, as the provider's own earlier calls left it. */
const inStatus = (status: Referral['status'], fields: Partial<Referral> = {}): Referral => ({
  ...routedTo(provider),
  status,
  updatedAt: '2026-11-20T22:50:00.000Z',
  ...fields,
});

const storeHolds = async (referral: Referral) =>
  documents
    .on(GetCommand, { Key: referralKey })
    .resolves({ Item: await sealedReferralItem(referral) });

/** A provider queue message: the EventBridge envelope of the referral's event, as the rule sends it. */
const queueMessage = (referral: Referral, messageId = 'message-1') => ({
  MessageId: messageId,
  ReceiptHandle: `receipt-${messageId}`,
  Body: JSON.stringify({
    version: '0',
    id: `event-${messageId}`,
    'detail-type': 'referral.received',
    source: 'reachable.avon-and-somerset',
    account: '123456789012',
    time: '2026-11-20T22:45:01Z',
    region: 'eu-west-2',
    resources: [],
    detail: toEventDetail(referral),
  }),
});

interface Call {
  providerId?: string;
  referralId?: string;
  /** Whose provider token to send; `null` sends none. The provider in the path unless told. */
  as?: string | null;
  headers?: Record<string, string>;
  body?: unknown;
  query?: Record<string, string>;
}

/** Calls a provider route as API Gateway would, with a bearer token signed for `as`. */
async function call(
  routeKey: string,
  { providerId = provider, referralId: id = referralId, as, headers, body, query }: Call = {},
) {
  const template = routeKey.split(' ')[1] ?? '';
  const caller = as === undefined ? providerId : as;
  const auth = caller === null ? {} : await signingKey.bearer({ provider: caller });
  return parseResult(
    await handler(
      apiEvent({
        routeKey,
        rawPath: template.replace('{providerId}', providerId).replace('{referralId}', id),
        pathParameters: {
          providerId,
          ...(template.includes('{referralId}') ? { referralId: id } : {}),
        },
        headers: {
          ...auth,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        ...(query ? { queryStringParameters: query } : {}),
      }),
      context,
    ),
  );
}

const next = (providerId: string, as?: string) => call(routes.next, { providerId, as });
const accept = (providerId: string, id: string = referralId) =>
  call(routes.accept, { providerId, referralId: id });

/** The Update and Put of the one transaction written. */
function theTransaction() {
  const transactions = documents.commandCalls(TransactWriteCommand);
  expect(transactions).toHaveLength(1);
  const [update, put] = transactions[0]!.args[0].input.TransactItems ?? [];
  return { update: update!.Update!, put: put!.Put! };
}

/** The JSON pointers a 400 problem names, sorted. */
const pointersOf = (body: unknown) =>
  ((body as { errors?: { pointer: string }[] }).errors ?? []).map((error) => error.pointer).sort();

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  queues.reset();
  queues.on(ReceiveMessageCommand).resolves({});
  queues.on(DeleteMessageCommand).resolves({});
  queues.on(ChangeMessageVisibilityCommand).resolves({});
  documents.on(GetCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
  documents.on(PutCommand).resolves({});
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(TransactWriteCommand).resolves({});
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
});

afterAll(() => {
  signingKey.remove();
});

describe('every provider route', () => {
  it.each(Object.values(routes))(
    'answers 401 with a bearer challenge to a call without a token, touching nothing: %s',
    async (routeKey) => {
      // Prepare
      await storeHolds(leasedTo(provider));

      // Act
      const response = await call(routeKey, { as: null, body: validBodies[routeKey] });

      // Assess
      expect(response.statusCode).toBe(401);
      expect(response.contentType).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status: 401, detail: 'Missing bearer token.' });
      expect(documents.calls()).toHaveLength(0);
      expect(queues.calls()).toHaveLength(0);
    },
  );

  it.each(Object.values(routes))(
    'answers the same 404 to another provider’s token whether the referral exists or not: %s',
    async (routeKey) => {
      // Prepare
      const asOther = { as: otherProvider, body: validBodies[routeKey] };
      await storeHolds(leasedTo(provider));

      // Act
      const existing = await call(routeKey, asOther);
      documents.reset();
      documents.on(GetCommand).resolves({});
      const missing = await call(routeKey, asOther);

      // Assess
      expect(existing.statusCode).toBe(404);
      expect(existing.contentType).toBe('application/problem+json');
      expect(existing.rawBody).toBe(missing.rawBody);
      expect(documents.calls()).toHaveLength(0);
      expect(queues.calls()).toHaveLength(0);
    },
  );

  it.each(referralRoutes)(
    'answers a referral routed to another provider exactly as one that does not exist: %s',
    async (routeKey) => {
      // Prepare
      const body = validBodies[routeKey];
      await storeHolds(leasedTo(otherProvider));

      // Act
      const others = await call(routeKey, { body });
      documents.on(GetCommand, { Key: referralKey }).resolves({});
      const missing = await call(routeKey, { body });

      // Assess
      expect(others.statusCode).toBe(404);
      expect(others.rawBody).toBe(missing.rawBody);
      expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
      expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
      expect(queues.calls()).toHaveLength(0);
    },
  );

  it.each(referralRoutes.filter((key) => key !== routes.lease))(
    'answers 401 to a call without a token even when the referral id is malformed: %s',
    async (routeKey) => {
      // Prepare
      const badId = 'not-a-uuid';

      // Act
      const response = await call(routeKey, {
        as: null,
        referralId: badId,
        body: validBodies[routeKey],
      });

      // Assess
      expect(response.statusCode).toBe(401);
      expect(documents.calls()).toHaveLength(0);
    },
  );

  it('answers 401 to a lease call without a token even when the referral id is malformed', async () => {
    // Prepare
    const badId = 'not-a-uuid';

    // Act
    const response = await call(routes.lease, { as: null, referralId: badId });

    // Assess
    expect(response.statusCode).toBe(401);
  });

  it('answers 403 to a referrer organisation’s token on a provider route', async () => {
    // Prepare
    await storeHolds(leasedTo(provider));
    const organisationToken = await signingKey.bearer({
      organisation: 'musgrove-park-hospital-ae',
    });

    // Act
    const response = await call(routes.accept, { as: null, headers: organisationToken });

    // Assess
    expect(response.statusCode).toBe(403);
    expect(response.body).toMatchObject({ detail: 'Only providers can use this route.' });
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 401 to an expired token', async () => {
    // Prepare
    const token = await signingKey.bearer({ provider }, { expiresIn: '1m' });
    vi.setSystemTime(new Date(now.getTime() + 10 * 60 * 1000));

    // Act
    const response = await call(routes.next, { as: null, headers: token });

    // Assess
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ detail: 'Token expired.' });
    expect(queues.calls()).toHaveLength(0);
  });
});

describe('GET /v1/providers/{providerId}/referrals/next', () => {
  it('answers 204 when the provider queue is empty, having asked only its own queue', async () => {
    // Prepare
    queues.on(ReceiveMessageCommand).resolves({ Messages: [] });

    // Act
    const response = await next(provider);

    // Assess
    expect(response.statusCode).toBe(204);
    expect(response.rawBody).toBeUndefined();
    const receives = queues.commandCalls(ReceiveMessageCommand);
    expect(receives).toHaveLength(1);
    expect(receives[0]!.args[0].input).toMatchObject({
      QueueUrl: queueUrls[provider],
      MaxNumberOfMessages: 1,
      VisibilityTimeout: 15 * 60,
    });
    expect(documents.calls()).toHaveLength(0);
  });

  it.each([
    { providerId: 'nobody-we-know', as: 'nobody-we-know' },
    { providerId: 'Not A Provider', as: provider },
  ])(
    'answers 404 problem+json to an unknown provider ($providerId) without touching any queue',
    async ({ providerId, as }) => {
      // Prepare
      queues.on(ReceiveMessageCommand).resolves({ Messages: [] });

      // Act
      const response = await next(providerId, as);

      // Assess
      expect(response.statusCode).toBe(404);
      expect(response.contentType).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status: 404, title: 'Not found' });
      expect(queues.calls()).toHaveLength(0);
      expect(documents.calls()).toHaveLength(0);
    },
  );

  it('answers 200 with the referral and a 15-minute lease, and records the lease', async () => {
    // Prepare
    const referral = routedTo(provider);
    const message = queueMessage(referral);
    queues
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message] })
      .resolves({});
    await storeHolds(referral);

    // Act
    const response = await next(provider);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.contentType).toBe('application/json');
    const body = response.body as {
      referral: Record<string, unknown>;
      lease: { expiresAt: string };
    };
    expect(body.lease).toEqual({ expiresAt: fifteenMinutesLater });
    expect(body.referral).toMatchObject({
      referralId,
      status: 'routed',
      pathway: 'admit',
      subject: { givenName: 'Jordan' },
    });
    for (const bookkeeping of ['PK', 'GSI1PK', 'lease', 'routing', 'expiresAt', 'personal']) {
      expect(body.referral).not.toHaveProperty(bookkeeping);
    }
    const updates = documents.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({
      TableName: tableName,
      Key: referralKey,
      UpdateExpression: 'SET lease = :lease',
      ExpressionAttributeValues: {
        ':providerId': provider,
        ':lease': {
          providerId: provider,
          receiptHandle: message.ReceiptHandle,
          expiresAt: fifteenMinutesLater,
          messageId: message.MessageId,
        },
      },
    });
    expect(queues.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('never hands out a referral that was routed to another provider', async () => {
    // Prepare
    const referral = routedTo(otherProvider);
    queues
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [queueMessage(referral)] })
      .resolves({});
    await storeHolds(referral);
    documents
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    // Act
    const response = await next(provider);

    // Assess
    expect(response.statusCode).toBe(204);
    expect(queues.commandCalls(ReceiveMessageCommand)).toHaveLength(2);
    expect(queues.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(output.text()).toContain('Referral in a queue it was not routed to');
  });

  it('removes a duplicate delivery of a referral it has already accepted, and moves on', async () => {
    // Prepare
    const accepted: Referral = { ...routedTo(provider), status: 'accepted' };
    const message = queueMessage(accepted);
    queues
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message] })
      .resolves({});
    await storeHolds(accepted);
    documents
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    // Act
    const response = await next(provider);

    // Assess
    expect(response.statusCode).toBe(204);
    const deletes = queues.commandCalls(DeleteMessageCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.args[0].input).toEqual({
      QueueUrl: queueUrls[provider],
      ReceiptHandle: message.ReceiptHandle,
    });
  });

  it('never hands out one referral twice: a second delivery while the lease on the first runs is removed', async () => {
    // Prepare: the outbox published the referral twice; the provider holds it on message-1 and
    // its routing is not recorded yet.
    const held: Referral = {
      ...received(),
      lease: {
        providerId: provider,
        receiptHandle: 'receipt-message-1',
        expiresAt: fiveMinutesLater,
        messageId: 'message-1',
      },
    };
    const duplicate = queueMessage(received(), 'message-2');
    queues
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [duplicate] })
      .resolves({});
    storeHolds(held);
    documents
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    // Act
    const response = await next(provider);

    // Assess
    expect(response.statusCode).toBe(204);
    expect(documents.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      ConditionExpression: expect.stringContaining('lease.messageId = :messageId') as string,
      ExpressionAttributeValues: { ':messageId': 'message-2', ':now': now.toISOString() },
    });
    const deletes = queues.commandCalls(DeleteMessageCommand);
    expect(deletes.map((call) => call.args[0].input.ReceiptHandle)).toEqual([
      duplicate.ReceiptHandle,
    ]);
    expect(output.text()).toContain('Duplicate delivery removed');
  });

  it('removes a stale delivery of a referral rerouted away from this provider', async () => {
    // Prepare
    const reroutedAway: Referral = {
      ...routedTo(otherProvider),
      status: 'rerouted',
      previousProviders: [provider],
    };
    const message = queueMessage(routedTo(provider));
    queues
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message] })
      .resolves({});
    await storeHolds(reroutedAway);
    documents
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    // Act
    const response = await next(provider);

    // Assess
    expect(response.statusCode).toBe(204);
    expect(queues.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  });

  it('leaves an unreadable message for the dead-letter queue and hands out the next one', async () => {
    // Prepare
    const referral = routedTo(provider);
    queues
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'bad', ReceiptHandle: 'receipt-bad', Body: '{' }] })
      .resolvesOnce({ Messages: [queueMessage(referral, 'good')] })
      .resolves({});
    await storeHolds(referral);

    // Act
    const response = await next(provider);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(queues.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(documents.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      ExpressionAttributeValues: { ':lease': { receiptHandle: 'receipt-good' } },
    });
  });
});

describe('POST /v1/providers/{providerId}/referrals/{referralId}/accept', () => {
  it('records the acceptance in one transaction and takes the referral off the queue', async () => {
    // Prepare
    const leased = leasedTo(provider);
    await storeHolds(leased);

    // Act
    const response = await accept(provider);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      referral: { referralId, status: 'accepted', milestones: { acceptedAt: now.toISOString() } },
    });
    const { update, put } = theTransaction();
    expect(update).toMatchObject({
      TableName: tableName,
      Key: referralKey,
      ConditionExpression:
        '#status = :expectedStatus AND updatedAt = :expectedUpdatedAt AND attribute_not_exists(erasedAt)',
      ExpressionAttributeValues: {
        ':status': 'accepted',
        ':expectedStatus': 'routed',
        ':expectedUpdatedAt': leased.updatedAt,
        ':updatedAt': now.toISOString(),
      },
    });
    expect(update.UpdateExpression).toContain('REMOVE #lease');
    expect(put).toMatchObject({
      TableName: tableName,
      ConditionExpression: 'attribute_not_exists(PK)',
      Item: {
        PK: `REFERRAL#${referralId}`,
        SK: `TRANSITION#${now.toISOString()}#accepted`,
        entity: 'transition',
        from: 'routed',
        to: 'accepted',
        actor: { kind: 'provider', id: provider },
        event: { referralId, status: 'accepted', providerId: provider },
      },
    });
    expect(JSON.stringify(put.Item)).not.toContain('Jordan');
    const deletes = queues.commandCalls(DeleteMessageCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.args[0].input).toEqual({
      QueueUrl: queueUrls[provider],
      ReceiptHandle: 'receipt-1',
    });
  });

  it('answers 404 to a provider accepting a referral routed to someone else, and changes nothing', async () => {
    // Prepare
    await storeHolds(leasedTo(provider));

    // Act
    const response = await accept(otherProvider);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.contentType).toBe('application/problem+json');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(queues.calls()).toHaveLength(0);
  });

  it('answers 404 to a provider holding a stale lease on a referral routed to someone else', async () => {
    // Prepare
    const staleLease: Referral = {
      ...routedTo(provider),
      lease: {
        providerId: otherProvider,
        receiptHandle: 'receipt-9',
        expiresAt: fifteenMinutesLater,
      },
    };
    await storeHolds(staleLease);

    // Act
    const response = await accept(otherProvider);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(queues.calls()).toHaveLength(0);
  });

  it('answers 404 to accepting a referral that does not exist', async () => {
    // Prepare
    documents.on(GetCommand).resolves({});

    // Act
    const response = await accept(provider);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.contentType).toBe('application/problem+json');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 200 again to a second acceptance, with no second write', async () => {
    // Prepare
    await storeHolds(inStatus('accepted'));

    // Act
    const response = await accept(provider);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ referral: { referralId, status: 'accepted' } });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(queues.calls()).toHaveLength(0);
  });

  it('answers 409 to accepting a referral whose routing is not recorded yet', async () => {
    // Prepare
    const leasedBeforeRouting: Referral = {
      ...received(),
      lease: { providerId: provider, receiptHandle: 'receipt-1', expiresAt: fifteenMinutesLater },
    };
    await storeHolds(leasedBeforeRouting);

    // Act
    const response = await accept(provider);

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.contentType).toBe('application/problem+json');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 400 naming the path parameter when the referral id is not a UUID', async () => {
    // Prepare
    const badId = 'not-a-uuid';

    // Act
    const response = await accept(provider, badId);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ pointer: '/referralId' }] });
    expect(documents.calls()).toHaveLength(0);
  });

  it('reads again after losing a race and has one effect when the race was its own duplicate', async () => {
    // Prepare
    documents
      .on(GetCommand, { Key: referralKey })
      .resolvesOnce({ Item: await sealedReferralItem(leasedTo(provider)) })
      .resolves({ Item: await sealedReferralItem(inStatus('accepted')) });
    documents
      .on(TransactWriteCommand)
      .rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }));

    // Act
    const response = await accept(provider);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ referral: { status: 'accepted' } });
    expect(documents.commandCalls(GetCommand)).toHaveLength(2);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(queues.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});

describe('POST /v1/providers/{providerId}/referrals/{referralId}/decline', () => {
  it('records the coded reason for the audit trail and keeps the free text on the referral only, sealed', async () => {
    // Prepare
    const details = 'Already working with the family through early help';
    await storeHolds(leasedTo(provider));

    // Act
    const response = await call(routes.decline, { body: { reason: 'other', details } });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      referral: { status: 'declined', decline: { reason: 'other', details } },
    });
    const { update, put } = theTransaction();
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':status': 'declined',
      ':decline': { reason: 'other' },
    });
    const sealed = update.ExpressionAttributeValues?.[':declineDetailsSealed'] as Uint8Array;
    expect(await testCipher().open('decline-details', referralId, sealed)).toBe(details);
    expect(Buffer.from(sealed).toString('latin1')).not.toContain(details);
    expect(JSON.stringify(update)).not.toContain(details);
    expect(update.UpdateExpression).toContain('REMOVE #lease');
    expect(put.Item).toMatchObject({
      to: 'declined',
      why: 'declined: other',
      event: { status: 'declined', declineReason: 'other' },
    });
    expect(JSON.stringify(put.Item)).not.toContain(details);
    expect(queues.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  });

  it('has one effect for the same decline sent twice', async () => {
    // Prepare
    const declined = inStatus('declined', { decline: { reason: 'no-capacity' } });
    documents
      .on(GetCommand, { Key: referralKey })
      .resolvesOnce({ Item: await sealedReferralItem(leasedTo(provider)) })
      .resolves({ Item: await sealedReferralItem(declined) });

    // Act
    const first = await call(routes.decline, { body: { reason: 'no-capacity' } });
    const second = await call(routes.decline, { body: { reason: 'no-capacity' } });

    // Assess
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.body).toMatchObject({ referral: { status: 'declined' } });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(queues.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  });

  it.each([
    { case: 'no reason', body: {}, pointers: ['/reason'] },
    { case: 'an unknown reason', body: { reason: 'too-busy' }, pointers: ['/reason'] },
    { case: '"other" without saying why', body: { reason: 'other' }, pointers: ['/details'] },
    {
      case: 'details over 1000 characters',
      body: { reason: 'other', details: 'x'.repeat(1001) },
      pointers: ['/details'],
    },
    {
      case: 'an unknown field',
      body: { reason: 'no-capacity', waitWeeks: 6 },
      pointers: ['/waitWeeks'],
    },
    { case: 'a body that is not an object', body: '["no-capacity"]', pointers: [''] },
  ])('answers 400 naming the fields for $case, and changes nothing', async ({ body, pointers }) => {
    // Prepare
    await storeHolds(leasedTo(provider));

    // Act
    const response = await call(routes.decline, { body });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    expect(pointersOf(response.body)).toEqual(pointers);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(queues.calls()).toHaveLength(0);
  });

  it('answers 415 to a decline not sent as JSON', async () => {
    // Prepare
    await storeHolds(leasedTo(provider));

    // Act
    const response = await call(routes.decline, {
      body: 'reason=no-capacity',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    // Assess
    expect(response.statusCode).toBe(415);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('POST /v1/providers/{providerId}/referrals/{referralId}/contact-attempts', () => {
  const attempt = {
    method: 'phone',
    result: 'no-answer',
    attemptedAt: '2026-11-20T22:55:00.000Z',
  } as const;

  it('records the attempt and the first contact on an accepted referral', async () => {
    // Prepare
    await storeHolds(
      inStatus('accepted', { milestones: { acceptedAt: '2026-11-20T22:50:00.000Z' } }),
    );

    // Act
    const response = await call(routes.contact, { body: attempt });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      referral: {
        status: 'contact-attempted',
        contactAttempts: [attempt],
        milestones: { firstContactAt: attempt.attemptedAt },
      },
    });
    const { put } = theTransaction();
    expect(put.Item).toMatchObject({
      from: 'accepted',
      to: 'contact-attempted',
      why: 'contact by phone: no-answer',
      event: { contact: { method: 'phone', result: 'no-answer' } },
    });
  });

  it('has one effect for the same attempt sent twice', async () => {
    // Prepare
    await storeHolds(inStatus('contact-attempted', { contactAttempts: [attempt] }));

    // Act
    const response = await call(routes.contact, { body: attempt });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ referral: { contactAttempts: [attempt] } });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('takes the same moment written with an offset as the same attempt', async () => {
    // Prepare
    await storeHolds(inStatus('contact-attempted', { contactAttempts: [attempt] }));

    // Act
    const response = await call(routes.contact, {
      body: { ...attempt, attemptedAt: '2026-11-20T23:55:00+01:00' },
    });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ referral: { contactAttempts: [attempt] } });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it.each([
    { case: 'before the referral was received', attemptedAt: '2026-11-20T22:40:00.000Z' },
    { case: 'later than now', attemptedAt: '2026-11-20T23:30:00.000Z' },
  ])('answers 400 naming attemptedAt for an attempt $case', async ({ attemptedAt }) => {
    // Prepare
    await storeHolds(inStatus('accepted'));

    // Act
    const response = await call(routes.contact, { body: { ...attempt, attemptedAt } });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(['/attemptedAt']);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it.each([
    { case: 'nothing', body: {}, pointers: ['/attemptedAt', '/method', '/result'] },
    {
      case: 'an unknown method and a date that is not ISO 8601',
      body: { ...attempt, method: 'email', attemptedAt: 'last Tuesday' },
      pointers: ['/attemptedAt', '/method'],
    },
    { case: 'an unknown result', body: { ...attempt, result: 'busy' }, pointers: ['/result'] },
    {
      case: 'an unknown field',
      body: { ...attempt, notes: 'Mum picked up' },
      pointers: ['/notes'],
    },
  ])('answers 400 naming the fields for $case, and changes nothing', async ({ body, pointers }) => {
    // Prepare
    await storeHolds(inStatus('accepted'));

    // Act
    const response = await call(routes.contact, { body });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(pointers);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('POST /v1/providers/{providerId}/referrals/{referralId}/engaged and /close', () => {
  it('records engagement once, and a second call writes nothing', async () => {
    // Prepare
    documents
      .on(GetCommand, { Key: referralKey })
      .resolvesOnce({ Item: await sealedReferralItem(inStatus('contact-attempted')) })
      .resolves({ Item: await sealedReferralItem(inStatus('engaged')) });

    // Act
    const first = await call(routes.engaged);
    const second = await call(routes.engaged);

    // Assess
    expect(first.body).toMatchObject({
      referral: { status: 'engaged', milestones: { engagedAt: now.toISOString() } },
    });
    expect(second.statusCode).toBe(200);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('closes with a coded outcome, and the same close again writes nothing', async () => {
    // Prepare
    documents
      .on(GetCommand, { Key: referralKey })
      .resolvesOnce({ Item: await sealedReferralItem(inStatus('engaged')) })
      .resolves({
        Item: await sealedReferralItem(inStatus('closed', { closeOutcome: 'completed' })),
      });

    // Act
    const first = await call(routes.close, { body: { outcome: 'completed' } });
    const second = await call(routes.close, { body: { outcome: 'completed' } });

    // Assess
    expect(first.statusCode).toBe(200);
    expect(first.body).toMatchObject({
      referral: { status: 'closed', closeOutcome: 'completed' },
    });
    expect(second.statusCode).toBe(200);
    const { put } = theTransaction();
    expect(put.Item).toMatchObject({
      to: 'closed',
      why: 'closed: completed',
      event: { closeOutcome: 'completed' },
    });
  });

  it.each([
    { case: 'no outcome', body: {}, pointers: ['/outcome'] },
    { case: 'an unknown outcome', body: { outcome: 'finished' }, pointers: ['/outcome'] },
    {
      case: 'an unknown field',
      body: { outcome: 'completed', summary: 'Doing well at college' },
      pointers: ['/summary'],
    },
  ])('answers 400 to a close with $case, and changes nothing', async ({ body, pointers }) => {
    // Prepare
    await storeHolds(inStatus('engaged'));

    // Act
    const response = await call(routes.close, { body });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(pointers);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('illegal transitions', () => {
  it('answers 409 problem+json naming the current status and what it allows', async () => {
    // Prepare
    await storeHolds(leasedTo(provider));

    // Act
    const response = await call(routes.engaged);

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.contentType).toBe('application/problem+json');
    const problem = response.body as { type: string; currentStatus: string; allowed: string[] };
    expect(problem).toMatchObject({
      type: 'https://reachable.dev/problems/illegal-transition',
      status: 409,
      currentStatus: 'routed',
    });
    expect(problem.allowed).toEqual(expect.arrayContaining(['accept', 'decline', 'reroute']));
    expect(problem.allowed).not.toContain('engage');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(queues.calls()).toHaveLength(0);
  });

  it('answers 409 with nothing allowed to closing a closed referral with another outcome', async () => {
    // Prepare
    await storeHolds(inStatus('closed', { closeOutcome: 'completed' }));

    // Act
    const response = await call(routes.close, { body: { outcome: 'disengaged' } });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatchObject({ currentStatus: 'closed', allowed: [] });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 409 to declining again with another reason', async () => {
    // Prepare
    await storeHolds(inStatus('declined', { decline: { reason: 'no-capacity' } }));

    // Act
    const response = await call(routes.decline, { body: { reason: 'not-eligible' } });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatchObject({ currentStatus: 'declined' });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 409 to declining again with the same reason and other details, never as a repeat', async () => {
    // Prepare
    await storeHolds(
      inStatus('declined', { decline: { reason: 'other', details: 'Family moved to Devon' } }),
    );

    // Act
    const response = await call(routes.decline, {
      body: { reason: 'other', details: 'Already supported by another service' },
    });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({ currentStatus: 'declined' });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('POST /v1/providers/{providerId}/referrals/{referralId}/reroute', () => {
  it('hands the referral to another provider of its spoke and takes it off this queue', async () => {
    // Prepare
    await storeHolds(leasedTo(provider));

    // Act
    const response = await call(routes.reroute, { body: { toProviderId: otherProvider } });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ referral: { status: 'rerouted' } });
    const { update, put } = theTransaction();
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':status': 'rerouted',
      ':providerId': otherProvider,
      ':previousProviders': [provider],
      ':GSI1PK': `PROVIDER#${otherProvider}`,
    });
    expect(update.UpdateExpression).toMatch(/REMOVE .*#lease/);
    expect(put.Item).toMatchObject({
      from: 'routed',
      to: 'rerouted',
      why: `rerouted to ${otherProvider}`,
      actor: { kind: 'provider', id: provider },
      event: { providerId: otherProvider },
    });
    expect(queues.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: queueUrls[provider],
      ReceiptHandle: 'receipt-1',
    });
  });

  it('answers a reroute sent again by the provider that made it with the first answer, writing nothing', async () => {
    // Prepare: the first reroute was recorded, and its answer lost on the way back.
    const rerouted: Referral = {
      ...routedTo(otherProvider),
      status: 'rerouted',
      previousProviders: [provider],
      updatedAt: '2026-11-20T22:58:00.000Z',
    };
    storeHolds(rerouted);

    // Act
    const response = await call(routes.reroute, { body: { toProviderId: otherProvider } });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ referral: { referralId, status: 'rerouted' } });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(queues.calls()).toHaveLength(0);
  });

  it('answers 404 to a reroute to somewhere else by a provider the referral has left', async () => {
    // Prepare
    storeHolds({ ...routedTo(otherProvider), status: 'rerouted', previousProviders: [provider] });

    // Act
    const response = await call(routes.reroute, { body: { toProviderId: 'turning-point-admit' } });

    // Assess
    expect(response.statusCode).toBe(404);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it.each([
    { case: 'a provider of another spoke', toProviderId: 'bristol-safer-options' },
    { case: 'the provider it is already with', toProviderId: provider },
    { case: 'a provider the partnership does not have', toProviderId: 'nobody-we-know' },
  ])('answers 400 naming toProviderId and the candidates for $case', async ({ toProviderId }) => {
    // Prepare
    await storeHolds(leasedTo(provider));

    // Act
    const response = await call(routes.reroute, { body: { toProviderId } });

    // Assess
    expect(response.statusCode).toBe(400);
    const problem = response.body as { errors: { pointer: string; detail: string }[] };
    expect(problem.errors).toEqual([
      { pointer: '/toProviderId', detail: expect.stringContaining(otherProvider) as string },
    ]);
    expect(problem.errors[0]!.detail).not.toContain('bristol-safer-options');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(queues.calls()).toHaveLength(0);
  });

  it.each([
    { case: 'no target', body: {}, pointers: ['/toProviderId'] },
    {
      case: 'a target that is not an id',
      body: { toProviderId: 'St Giles' },
      pointers: ['/toProviderId'],
    },
    {
      case: 'an unknown field',
      body: { toProviderId: otherProvider, reason: 'needs mentoring' },
      pointers: ['/reason'],
    },
  ])('answers 400 to a reroute with $case, and changes nothing', async ({ body, pointers }) => {
    // Prepare
    await storeHolds(leasedTo(provider));

    // Act
    const response = await call(routes.reroute, { body });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(pointers);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('POST /v1/providers/{providerId}/referrals/{referralId}/lease', () => {
  it('extends the lease holder’s lease on the queue message and on the referral', async () => {
    // Prepare
    await storeHolds(leasedTo(provider, fiveMinutesLater));

    // Act
    const response = await call(routes.lease);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ lease: { expiresAt: fifteenMinutesLater } });
    const visibility = queues.commandCalls(ChangeMessageVisibilityCommand);
    expect(visibility).toHaveLength(1);
    expect(visibility[0]!.args[0].input).toEqual({
      QueueUrl: queueUrls[provider],
      ReceiptHandle: 'receipt-1',
      VisibilityTimeout: 15 * 60,
    });
    const updates = documents.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':lease': {
        providerId: provider,
        receiptHandle: 'receipt-1',
        expiresAt: fifteenMinutesLater,
      },
    });
  });

  it.each([
    {
      case: 'a lease another provider holds',
      referral: () => ({
        ...routedTo(provider),
        lease: {
          providerId: otherProvider,
          receiptHandle: 'receipt-9',
          expiresAt: fifteenMinutesLater,
        },
      }),
    },
    { case: 'a lease that has run out', referral: () => leasedTo(provider, now.toISOString()) },
    { case: 'no lease at all', referral: () => routedTo(provider) },
    { case: 'a referral already accepted', referral: () => inStatus('accepted') },
  ])('answers 409 and extends nothing for $case', async ({ referral }) => {
    // Prepare
    await storeHolds(referral());

    // Act
    const response = await call(routes.lease);

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.contentType).toBe('application/problem+json');
    expect(queues.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('GET /v1/providers/{providerId}/referrals and /referrals/{referralId}', () => {
  it('lists the provider’s own referrals in one status through its index, a page at a time', async () => {
    // Prepare
    const lastKey = { PK: referralKey.PK, SK: 'REFERRAL', GSI1PK: `PROVIDER#${provider}` };
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [await sealedReferralItem(inStatus('accepted'))],
        LastEvaluatedKey: lastKey,
      })
      .resolves({ Items: [] });

    // Act
    const first = await call(routes.list, { query: { status: 'accepted', limit: '1' } });
    const { cursor } = first.body as { cursor: string };
    const second = await call(routes.list, { query: { status: 'accepted', limit: '1', cursor } });

    // Assess
    expect(first.statusCode).toBe(200);
    const page = first.body as { referrals: Record<string, unknown>[] };
    expect(page.referrals).toHaveLength(1);
    expect(page.referrals[0]).toMatchObject({ referralId, status: 'accepted' });
    for (const bookkeeping of ['PK', 'GSI1PK', 'GSI4SK', 'lease', 'routing', 'personal']) {
      expect(page.referrals[0]).not.toHaveProperty(bookkeeping);
    }
    const queries = documents.commandCalls(QueryCommand);
    expect(queries[0]!.args[0].input).toMatchObject({
      TableName: tableName,
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :status)',
      ExpressionAttributeValues: { ':pk': `PROVIDER#${provider}`, ':status': 'accepted#' },
      Limit: 1,
    });
    expect(queries[1]!.args[0].input.ExclusiveStartKey).toEqual(lastKey);
    expect(second.body).toEqual({ referrals: [], names: expect.any(Object) });
  });

  it('answers 400 naming every query parameter at fault', async () => {
    // Prepare
    const query = { status: 'lost', limit: '0', colour: 'red' };

    // Act
    const response = await call(routes.list, { query });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(['/colour', '/limit', '/status']);
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 400 to a cursor that is not from a previous page', async () => {
    // Prepare
    const cursor = '%%%not-a-cursor%%%';

    // Act
    const response = await call(routes.list, { query: { cursor } });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(['/cursor']);
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers a referral with the commands its provider may give now, and the names of what it refers to', async () => {
    // Prepare
    await storeHolds(inStatus('accepted'));

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      referral: { referralId, allowed: ['attempt-contact', 'engage', 'close', 'reroute'] },
      // Somerset's providers, where it could be rerouted, are named too.
      names: {
        spokes: { somerset: 'Somerset' },
        pathways: { admit: 'Admit (Musgrove Park Hospital A&E)' },
        organisations: { 'musgrove-park-hospital-ae': 'Musgrove Park Hospital A&E' },
        providers: {
          'turning-point-admit': 'Turning Point (Admit Young People Recovery workers)',
          'st-giles-sos': 'St Giles Trust (SOS project)',
        },
      },
    });
  });

  it('lists referrals each with its own allowed commands, and names only what the page holds', async () => {
    // Prepare
    documents.on(QueryCommand).resolves({
      Items: [
        await sealedReferralItem(inStatus('engaged')),
        await sealedReferralItem(inStatus('closed', { closeOutcome: 'completed' })),
      ],
    });

    // Act
    const response = await call(routes.list);

    // Assess
    expect(response.statusCode).toBe(200);
    const page = response.body as {
      referrals: { allowed: string[] }[];
      names: Record<string, Record<string, string>>;
    };
    expect(page.referrals.map((referral) => referral.allowed)).toEqual([['close'], []]);
    expect(Object.keys(page.names.spokes ?? {})).toEqual(['somerset']);
    expect(Object.keys(page.names.providers ?? {}).sort()).toEqual([
      'st-giles-sos',
      'turning-point-admit',
    ]);
  });

  it('shows one referral with its deadlines, overdue flags and milestones', async () => {
    // Prepare
    const deadlines = {
      acceptBy: '2026-11-21T00:00:00.000Z',
      firstContactBy: '2026-11-21T00:00:00.000Z',
    };
    await storeHolds({
      ...leasedTo(provider),
      deadlines,
      overdue: { accept: '2026-11-21T00:05:00.000Z' },
      milestones: { routedAt: '2026-11-20T22:45:02.000Z' },
    });

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(200);
    const { referral } = response.body as { referral: Record<string, unknown> };
    expect(referral).toMatchObject({
      referralId,
      status: 'routed',
      deadlines,
      overdue: { accept: '2026-11-21T00:05:00.000Z' },
      milestones: { routedAt: '2026-11-20T22:45:02.000Z' },
      contactAttempts: [],
    });
    expect(referral).not.toHaveProperty('lease');
    expect(referral).not.toHaveProperty('previousProviders');
  });
});

describe('personal data at rest', () => {
  const erasedAt = '2029-11-21T03:00:00.000Z';
  /** The referral as the retention sweep leaves it: anonymous, with when it was erased. */
  const erasedItem = (referral: Referral) => {
    const { personal: _personal, expiresAt: _expiresAt, ...anonymous } = referral;
    return referralItem({ ...anonymous, erasedAt });
  };

  it('opens the sealed personal data and decline details for the provider it is routed to', async () => {
    // Prepare
    const details = 'Already known to our detached youth work team';
    await storeHolds(inStatus('declined', { decline: { reason: 'other', details } }));

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      referral: {
        status: 'declined',
        decline: { reason: 'other', details },
        subject: { givenName: 'Jordan' },
        summary: expect.any(String),
      },
    });
    const { referral } = response.body as { referral: Record<string, unknown> };
    for (const stored of ['personalSealed', 'declineDetailsSealed', 'subjectIndex']) {
      expect(referral).not.toHaveProperty(stored);
    }
  });

  it('answers 410 Gone, saying when, for a referral whose personal data was erased', async () => {
    // Prepare
    documents
      .on(GetCommand, { Key: referralKey })
      .resolves({ Item: erasedItem(inStatus('closed', { closeOutcome: 'completed' })) });

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(410);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      type: 'https://reachable.dev/problems/gone',
      status: 410,
      detail: expect.stringContaining('erased on 2029-11-21'),
    });
    for (const personal of personalValuesOf('admit-friday-night.json')) {
      expect(response.rawBody).not.toContain(personal);
    }
  });

  it("answers 404, not 410, for another provider's erased referral: its existence stays hidden", async () => {
    // Prepare
    documents
      .on(GetCommand, { Key: referralKey })
      .resolves({ Item: erasedItem(inStatus('accepted', { providerId: otherProvider })) });

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(404);
  });

  it('answers 410 to a command on an erased referral and writes nothing', async () => {
    // Prepare
    documents
      .on(GetCommand, { Key: referralKey })
      .resolves({ Item: erasedItem(inStatus('accepted')) });

    // Act
    const response = await call(routes.close, { body: { outcome: 'completed' } });

    // Assess
    expect(response.statusCode).toBe(410);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('lists an erased referral with what is left of it, and when it was erased', async () => {
    // Prepare
    documents
      .on(QueryCommand)
      .resolves({ Items: [erasedItem(inStatus('closed', { closeOutcome: 'completed' }))] });

    // Act
    const response = await call(routes.list);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      referrals: [expect.objectContaining({ referralId, status: 'closed', erasedAt })],
      names: expect.any(Object),
    });
    expect(response.rawBody).not.toContain('Jordan');
  });

  it('refuses a sealed value moved from another referral: 500, and nothing of it shown', async () => {
    // Prepare
    const otherId = '9b2f7c4e-1d3a-4e5f-8a6b-7c8d9e0f1a2b';
    const other = await sealedReferralItem({
      ...referralFromExample('admit-friday-night.json', otherId),
      status: 'routed',
    });
    const own = await sealedReferralItem(leasedTo(provider));
    documents
      .on(GetCommand, { Key: referralKey })
      .resolves({ Item: { ...own, personalSealed: other.personalSealed } });

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.rawBody).not.toContain('Jordan');
  });
});

describe('GET and PUT /v1/providers/{providerId}/capacity', () => {
  const capacityKey = (providerId: string) => ({ PK: `PROVIDER#${providerId}`, SK: 'CAPACITY' });

  it.each([
    { providerId: provider, status: 'open' },
    { providerId: otherProvider, status: 'waitlist' },
  ])(
    'answers the capacity the partnership config gives $providerId until it says otherwise',
    async ({ providerId, status }) => {
      // Prepare
      documents.on(GetCommand).resolves({});

      // Act
      const response = await call(routes.getCapacity, { providerId });

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toEqual({ providerId, status });
      expect(documents.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual(
        capacityKey(providerId),
      );
    },
  );

  it('answers what the provider last said, without the table’s bookkeeping', async () => {
    // Prepare
    const stated = {
      providerId: provider,
      status: 'waitlist',
      expectedWaitDays: 10,
      updatedAt: '2026-11-19T09:00:00.000Z',
    };
    documents
      .on(GetCommand, { Key: capacityKey(provider) })
      .resolves({ Item: { ...capacityKey(provider), entity: 'capacity', ...stated } });

    // Act
    const response = await call(routes.getCapacity);

    // Assess
    expect(response.body).toEqual(stated);
  });

  it('records a stated waitlist for the provider in the path, stamped now', async () => {
    // Prepare
    const body = { status: 'waitlist', expectedWaitDays: 14 };

    // Act
    const response = await call(routes.putCapacity, { body });

    // Assess
    const capacity = { providerId: provider, ...body, updatedAt: now.toISOString() };
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual(capacity);
    const puts = documents.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.args[0].input).toEqual({
      TableName: tableName,
      Item: { ...capacityKey(provider), entity: 'capacity', ...capacity },
    });
  });

  it.each([
    { case: 'no status', body: {}, pointers: ['/status'] },
    { case: 'an unknown status', body: { status: 'full' }, pointers: ['/status'] },
    {
      case: 'a wait without a waitlist',
      body: { status: 'open', expectedWaitDays: 3 },
      pointers: ['/expectedWaitDays'],
    },
    {
      case: 'a negative wait',
      body: { status: 'waitlist', expectedWaitDays: -1 },
      pointers: ['/expectedWaitDays'],
    },
    {
      case: 'a wait that is not whole days',
      body: { status: 'waitlist', expectedWaitDays: 2.5 },
      pointers: ['/expectedWaitDays'],
    },
    {
      case: 'another provider named in the body',
      body: { status: 'closed', providerId: otherProvider },
      pointers: ['/providerId'],
    },
  ])('answers 400 to $case, and stores nothing', async ({ body, pointers }) => {
    // Prepare
    documents.on(PutCommand).resolves({});

    // Act
    const response = await call(routes.putCapacity, { body });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(pointers);
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('audit records of every read of personal data', () => {
  const subject = `local-provider-${provider}`;
  const sixYears = 6 * 365 * 24 * 60 * 60;

  /** The audit records of reads written as single puts. */
  const auditPuts = () =>
    documents
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input)
      .filter((input) => String(input.Item?.PK).startsWith('AUDIT#'));

  /** The audit record a read by this provider writes, as its item's fields. */
  const recordOf = (referral: Referral, action: string, detail?: string) => ({
    PK: `AUDIT#${referral.referralId}`,
    entity: 'audit-read',
    referralId: referral.referralId,
    at: now.toISOString(),
    action,
    actor: { role: 'provider', id: provider, subject },
    purpose: 'provider-casework',
    correlationId: 'request-1',
    ...(detail ? { detail } : {}),
    expiresAt: referral.expiresAt! + sixYears,
  });

  it('records a read of one referral: who, role, when, what, why and the request', async () => {
    // Prepare
    const referral = leasedTo(provider);
    await storeHolds(referral);

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(200);
    const puts = auditPuts();
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({
      TableName: tableName,
      ConditionExpression: 'attribute_not_exists(PK)',
      Item: recordOf(referral, 'referral.read'),
    });
  });

  it('records a pull from the queue', async () => {
    // Prepare
    const referral = routedTo(provider);
    queues
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [queueMessage(referral)] })
      .resolves({});
    await storeHolds(referral);

    // Act
    const response = await next(provider);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(auditPuts().map((put) => put.Item)).toEqual([
      expect.objectContaining(recordOf(referral, 'referral.pulled')),
    ]);
  });

  it('records each referral on a page of the list, in one transaction', async () => {
    // Prepare
    const ids = [
      referralId,
      '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
      '9b2e4c1d-3f5a-4e6b-8c7d-1a2b3c4d5e6f',
    ];
    const referrals = ids.map((id) => ({ ...inStatus('accepted'), referralId: id }));
    documents
      .on(QueryCommand)
      .resolves({ Items: await Promise.all(referrals.map(sealedReferralItem)) });

    // Act
    const response = await call(routes.list);

    // Assess
    expect(response.statusCode).toBe(200);
    const transactions = documents.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(1);
    const items = (transactions[0]!.args[0].input.TransactItems ?? []).map((t) => t.Put?.Item);
    expect(items).toEqual(
      referrals.map((r) => expect.objectContaining(recordOf(r, 'referral.listed'))),
    );
    expect(auditPuts()).toHaveLength(0);
  });

  it('records nothing for an empty page', async () => {
    // Act
    const response = await call(routes.list);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(auditPuts()).toHaveLength(0);
  });

  it.each([
    { route: routes.accept, status: 'routed' as const, command: 'accept' },
    { route: routes.decline, status: 'routed' as const, command: 'decline' },
    { route: routes.contact, status: 'accepted' as const, command: 'attempt-contact' },
    { route: routes.engaged, status: 'contact-attempted' as const, command: 'engage' },
    { route: routes.close, status: 'engaged' as const, command: 'close' },
    { route: routes.reroute, status: 'routed' as const, command: 'reroute' },
  ])(
    'records the answer to $command, after the change that names the same person',
    async ({ route, status, command }) => {
      // Prepare
      const referral = status === 'routed' ? leasedTo(provider) : inStatus(status);
      await storeHolds(referral);

      // Act
      const response = await call(route, { body: validBodies[route] });

      // Assess
      expect(response.statusCode).toBe(200);
      const { put } = theTransaction();
      expect(put.Item).toMatchObject({ actor: { kind: 'provider', id: provider, subject } });
      expect(auditPuts().map((p) => p.Item)).toEqual([
        expect.objectContaining(recordOf(referral, 'referral.command-answered', command)),
      ]);
    },
  );

  it('records the answer to a repeated command, which changes nothing but shows the referral', async () => {
    // Prepare
    await storeHolds(inStatus('accepted'));

    // Act
    const response = await accept(provider);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(auditPuts()).toHaveLength(1);
  });

  it.each([
    ['another provider’s referral', () => storeHolds(leasedTo(otherProvider))],
    ['a referral that does not exist', () => undefined],
  ])('records nothing for %s: nothing was read', async (_case, prepare) => {
    // Prepare
    await prepare();

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(auditPuts()).toHaveLength(0);
  });

  it.each([routes.lease, routes.getCapacity, routes.putCapacity])(
    'records nothing for %s, which shows no personal data',
    async (routeKey) => {
      // Prepare
      await storeHolds(leasedTo(provider));

      // Act
      const response = await call(routeKey, { body: validBodies[routeKey] });

      // Assess
      expect(response.statusCode).toBe(200);
      expect(auditPuts()).toHaveLength(0);
      expect(response.rawBody).not.toContain('Jordan');
    },
  );

  describe('when the audit log cannot be written (fail closed)', () => {
    const personal = personalValuesOf('admit-friday-night.json');
    const auditDown = () => {
      const failure = new Error('Service unavailable');
      documents.on(PutCommand).rejects(failure);
      documents.on(TransactWriteCommand).rejects(failure);
    };

    it.each([
      ['a read of one referral', () => call(routes.get)],
      ['a pull', () => next(provider)],
      ['a page of the list', () => call(routes.list)],
    ])('answers 503 to %s and shows nothing of the referral', async (_case, act) => {
      // Prepare
      const referral = leasedTo(provider);
      await storeHolds(referral);
      queues
        .on(ReceiveMessageCommand)
        .resolvesOnce({ Messages: [queueMessage(routedTo(provider))] })
        .resolves({});
      documents.on(QueryCommand).resolves({
        Items: [
          await sealedReferralItem(inStatus('accepted')),
          await sealedReferralItem(inStatus('engaged')),
        ],
      });
      auditDown();

      // Act
      const response = await act();

      // Assess
      expect(response.statusCode).toBe(503);
      expect(response.contentType).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status: 503, title: 'Access could not be recorded' });
      for (const value of personal) expect(response.rawBody).not.toContain(value);
      expect(output.text()).toContain('AuditUnavailableError');
    });

    it('answers 503 to a command once the change is made, and the same call again has one effect', async () => {
      // Prepare
      documents
        .on(GetCommand, { Key: referralKey })
        .resolvesOnce({ Item: await sealedReferralItem(leasedTo(provider)) })
        .resolves({ Item: await sealedReferralItem(inStatus('accepted')) });
      documents.on(PutCommand).rejectsOnce(new Error('Service unavailable')).resolves({});

      // Act
      const first = await accept(provider);
      const second = await accept(provider);

      // Assess
      expect(first.statusCode).toBe(503);
      for (const value of personal) expect(first.rawBody).not.toContain(value);
      expect(second.statusCode).toBe(200);
      expect(second.body).toMatchObject({ referral: { status: 'accepted' } });
      expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
    });
  });
});
