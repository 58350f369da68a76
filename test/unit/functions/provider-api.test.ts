import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toEventDetail, type Referral } from '#shared/domain/referral.ts';
import {
  apiEvent,
  captureOutput,
  lambdaContext,
  parseResult,
  referralFromExample,
  referralItem,
  routedReferral,
  tableName,
} from './builders.ts';

const provider = 'turning-point-admit';
const otherProvider = 'st-giles-sos';
const queueUrls = {
  [provider]: 'https://sqs.eu-west-2.amazonaws.com/123456789012/reachable-turning-point-admit',
  [otherProvider]: 'https://sqs.eu-west-2.amazonaws.com/123456789012/reachable-st-giles-sos',
};

vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PROVIDER_QUEUE_URLS', JSON.stringify(queueUrls));
vi.stubEnv('LEASE_SECONDS', undefined);
const documents = mockClient(DynamoDBDocumentClient);
const queues = mockClient(SQSClient);
const { handler } = await import('#functions/provider-api/handler.ts');

const context = lambdaContext('reachable-provider-api');
const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const now = new Date('2026-11-20T23:00:00.000Z');
const fifteenMinutesLater = new Date(now.getTime() + 15 * 60 * 1000).toISOString();
const referralKey = { PK: `REFERRAL#${referralId}`, SK: 'REFERRAL' };

const received = () => referralFromExample('admit-friday-night.json', referralId);
const routedTo = (providerId: string): Referral =>
  routedReferral(received(), `somerset-${providerId}`, { kind: 'provider', providerId });

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

const next = async (providerId: string) =>
  parseResult(
    await handler(
      apiEvent({
        routeKey: 'GET /v1/providers/{providerId}/referrals/next',
        rawPath: `/v1/providers/${providerId}/referrals/next`,
        pathParameters: { providerId },
      }),
      context,
    ),
  );

const accept = async (providerId: string, id: string = referralId) =>
  parseResult(
    await handler(
      apiEvent({
        routeKey: 'POST /v1/providers/{providerId}/referrals/{referralId}/accept',
        rawPath: `/v1/providers/${providerId}/referrals/${id}/accept`,
        pathParameters: { providerId, referralId: id },
      }),
      context,
    ),
  );

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  queues.reset();
  queues.on(ReceiveMessageCommand).resolves({});
  queues.on(DeleteMessageCommand).resolves({});
  documents.on(GetCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
  documents.on(TransactWriteCommand).resolves({});
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
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

  it.each(['nobody-we-know', 'Not A Provider'])(
    'answers 404 problem+json to an unknown provider (%s) without touching any queue',
    async (providerId) => {
      // Prepare
      queues.on(ReceiveMessageCommand).resolves({ Messages: [] });

      // Act
      const response = await next(providerId);

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
    documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(referral) });

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
    documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(referral) });
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
    documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(accepted) });
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

  it('leaves an unreadable message for the dead-letter queue and hands out the next one', async () => {
    // Prepare
    const referral = routedTo(provider);
    queues
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'bad', ReceiptHandle: 'receipt-bad', Body: '{' }] })
      .resolvesOnce({ Messages: [queueMessage(referral, 'good')] })
      .resolves({});
    documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(referral) });

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
    const leased: Referral = {
      ...routedTo(provider),
      lease: { providerId: provider, receiptHandle: 'receipt-1', expiresAt: fifteenMinutesLater },
    };
    documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(leased) });

    // Act
    const response = await accept(provider);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ referral: { referralId, status: 'accepted' } });
    const transactions = documents.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(1);
    const [update, put] = transactions[0]!.args[0].input.TransactItems ?? [];
    expect(update?.Update).toMatchObject({
      TableName: tableName,
      Key: referralKey,
      ConditionExpression: '#status = :expectedStatus AND updatedAt = :expectedUpdatedAt',
      ExpressionAttributeValues: {
        ':status': 'accepted',
        ':expectedStatus': 'routed',
        ':expectedUpdatedAt': leased.updatedAt,
        ':updatedAt': now.toISOString(),
      },
    });
    expect(update?.Update?.UpdateExpression).toContain('REMOVE #lease');
    expect(put?.Put).toMatchObject({
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
    expect(JSON.stringify(put?.Put?.Item)).not.toContain('Jordan');
    const deletes = queues.commandCalls(DeleteMessageCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.args[0].input).toEqual({
      QueueUrl: queueUrls[provider],
      ReceiptHandle: 'receipt-1',
    });
  });

  it('answers 404 to a provider accepting a referral routed to someone else, and changes nothing', async () => {
    // Prepare
    const leased: Referral = {
      ...routedTo(provider),
      lease: { providerId: provider, receiptHandle: 'receipt-1', expiresAt: fifteenMinutesLater },
    };
    documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(leased) });

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
    documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(staleLease) });

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
    const accepted: Referral = { ...routedTo(provider), status: 'accepted' };
    documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(accepted) });

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
    documents
      .on(GetCommand, { Key: referralKey })
      .resolves({ Item: referralItem(leasedBeforeRouting) });

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
});
