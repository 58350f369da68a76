import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { routesFor } from '#events/routing/index.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { RoutedTwiceError } from '#shared/services/record-routing.ts';
import {
  captureOutput,
  lambdaContext,
  partnershipId,
  referralFromExample,
  referralItem,
  routedReferral,
  sqsRecord,
  tableName,
} from './builders.ts';

vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/record-routing/handler.ts');

const context = lambdaContext('reachable-record-routing');
const now = new Date('2026-11-20T22:45:05.000Z');
const admitId = '3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const threatenedId = '9a8b7c6d-5e4f-4a3b-9c1d-0e9f8a7b6c5d';
const providerRouteId = 'somerset-turning-point-admit';
const providerDestination = { kind: 'provider', providerId: 'turning-point-admit' } as const;

const keyOf = (referralId: string) => ({ PK: `REFERRAL#${referralId}`, SK: 'REFERRAL' });
const storeHolds = (referral: Referral) =>
  documents
    .on(GetCommand, { Key: keyOf(referral.referralId) })
    .resolves({ Item: referralItem(referral) });

/** The message a spoke route's rule sends alongside each delivery. */
const decision = (
  referralId: string,
  routeId: string,
  destination: object = providerDestination,
): string => JSON.stringify({ eventId: `event-${referralId}`, referralId, routeId, destination });

const sqsEvent = (...records: SQSEvent['Records']): SQSEvent => ({ Records: records });

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({});
  documents.on(TransactWriteCommand).resolves({});
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
});

describe('record-routing: a new decision', () => {
  it('moves the referral to routed with the decision, provider and audit record in one transaction', async () => {
    // Prepare
    const referral = referralFromExample('admit-friday-night.json', admitId);
    storeHolds(referral);
    const route = routesFor(partnershipId).find((r) => r.id === providerRouteId)!;

    // Act
    const result = await handler(
      sqsEvent(sqsRecord('m-1', decision(admitId, providerRouteId))),
      context,
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const transactions = documents.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(1);
    const [update, put] = transactions[0]!.args[0].input.TransactItems ?? [];
    const routing = {
      routeId: providerRouteId,
      destination: providerDestination,
      reasons: [route.description],
      decidedAt: now.toISOString(),
    };
    expect(update?.Update).toMatchObject({
      TableName: tableName,
      Key: keyOf(admitId),
      ExpressionAttributeValues: {
        ':status': 'routed',
        ':expectedStatus': 'received',
        ':expectedUpdatedAt': referral.updatedAt,
        ':routing': routing,
        ':providerId': 'turning-point-admit',
        ':GSI1PK': 'PROVIDER#turning-point-admit',
        ':GSI1SK': `routed#${referral.receivedAt}#${admitId}`,
      },
    });
    // A provider may hold a lease already: recording the route must leave it alone.
    expect(update?.Update?.UpdateExpression).not.toContain('lease');
    expect(put?.Put?.Item).toMatchObject({
      PK: `REFERRAL#${admitId}`,
      SK: `TRANSITION#${now.toISOString()}#routed`,
      entity: 'transition',
      from: 'received',
      to: 'routed',
      actor: { kind: 'system', id: `route:${providerRouteId}` },
      event: {
        referralId: admitId,
        status: 'routed',
        providerId: 'turning-point-admit',
        destination: providerDestination,
      },
    });
  });

  it('records a triage decision with its reasons and no provider', async () => {
    // Prepare
    const referral = referralFromExample('weapons-threatened-bristol.json', threatenedId);
    storeHolds(referral);
    const triage = { kind: 'triage', spoke: 'bristol' };

    // Act
    const result = await handler(
      sqsEvent(sqsRecord('m-1', decision(threatenedId, 'bristol-triage', triage))),
      context,
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const [update] = documents.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    const values = update?.Update?.ExpressionAttributeValues ?? {};
    expect(values[':routing']).toMatchObject({ routeId: 'bristol-triage', destination: triage });
    expect((values[':routing'] as { reasons: string[] }).reasons.join(' ')).toContain(
      'police are called now',
    );
    expect(values).not.toHaveProperty(':providerId');
    expect(values).not.toHaveProperty(':GSI1PK');
  });

  it('reads again and retries when it loses a race with another change', async () => {
    // Prepare
    const referral = referralFromExample('admit-friday-night.json', admitId);
    const changed = { ...referral, updatedAt: '2026-11-20T22:45:03.000Z' };
    documents
      .on(GetCommand, { Key: keyOf(admitId) })
      .resolvesOnce({ Item: referralItem(referral) })
      .resolves({ Item: referralItem(changed) });
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }))
      .resolves({});

    // Act
    const result = await handler(
      sqsEvent(sqsRecord('m-1', decision(admitId, providerRouteId))),
      context,
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const expected = documents
      .commandCalls(TransactWriteCommand)
      .map(
        (call) =>
          call.args[0].input.TransactItems?.[0]?.Update?.ExpressionAttributeValues?.[
            ':expectedUpdatedAt'
          ],
      );
    expect(expected).toEqual([referral.updatedAt, changed.updatedAt]);
  });
});

describe('record-routing: messages it cannot record', () => {
  it('reports malformed messages by message id and records the valid one', async () => {
    // Prepare
    const referral = referralFromExample('admit-friday-night.json', admitId);
    storeHolds(referral);
    const event = sqsEvent(
      sqsRecord('not-json', '{"referralId":'),
      sqsRecord('not-a-uuid', decision('REFERRAL-1', providerRouteId)),
      sqsRecord(
        'extra-field',
        JSON.stringify({ ...JSON.parse(decision(admitId, providerRouteId)), note: 'x' }),
      ),
      sqsRecord('bad-destination', decision(admitId, providerRouteId, { kind: 'nowhere' })),
      sqsRecord('valid', decision(admitId, providerRouteId)),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'bad-destination',
      'extra-field',
      'not-a-uuid',
      'not-json',
    ]);
    expect(documents.commandCalls(GetCommand)).toHaveLength(1);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('logs each failed record by message id, receive count, queue and error name, never its body', async () => {
    // Prepare: the fifth receive of a malformed message, beside a good one.
    storeHolds(referralFromExample('admit-friday-night.json', admitId));
    const malformed = {
      ...sqsRecord('poison-1', '{"referralId": "Jordan Example'),
      attributes: {
        ...sqsRecord('poison-1', '').attributes,
        ApproximateReceiveCount: '5',
      },
    };
    const event = sqsEvent(malformed, sqsRecord('good-1', decision(admitId, providerRouteId)));

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'poison-1' }]);
    const failures = output
      .text()
      .split('\n')
      .filter((line) => line.includes('"Record failed"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 'ERROR',
      messageId: 'poison-1',
      receiveCount: 5,
      queue: 'reachable-routing-decisions',
      errorName: expect.any(String) as string,
    });
    expect(output.text()).not.toContain('Jordan Example');
  });

  it('refuses a second decision from a different route with RoutedTwiceError and writes nothing', async () => {
    // Prepare
    const routed = routedReferral(
      referralFromExample('admit-friday-night.json', admitId),
      providerRouteId,
      providerDestination,
    );
    storeHolds(routed);
    const event = sqsEvent(
      sqsRecord('m-1', decision(admitId, 'somerset-triage', { kind: 'triage', spoke: 'somerset' })),
    );

    // Act
    const outcome = handler(event, context);

    // Assess
    const error = await outcome.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(FullBatchFailureError);
    const [recordError] = (error as FullBatchFailureError).recordErrors;
    expect(recordError).toBeInstanceOf(RoutedTwiceError);
    expect((recordError as Error).message).toContain(providerRouteId);
    expect((recordError as Error).message).toContain('somerset-triage');
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('reports only the record of a second, different decision in a batch that records others', async () => {
    // Prepare
    const routed = routedReferral(
      referralFromExample('admit-friday-night.json', admitId),
      providerRouteId,
      providerDestination,
    );
    const fresh = referralFromExample('weapons-threatened-bristol.json', threatenedId);
    storeHolds(routed);
    storeHolds(fresh);
    const event = sqsEvent(
      sqsRecord(
        'twice',
        decision(admitId, 'somerset-triage', { kind: 'triage', spoke: 'somerset' }),
      ),
      sqsRecord(
        'fresh',
        decision(threatenedId, 'bristol-triage', { kind: 'triage', spoke: 'bristol' }),
      ),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'twice' }] });
    const transactions = documents.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(1);
    expect(transactions[0]!.args[0].input.TransactItems?.[0]?.Update?.Key).toEqual(
      keyOf(threatenedId),
    );
  });

  it('has no second effect when the same decision is delivered again', async () => {
    // Prepare
    const routed = routedReferral(
      referralFromExample('admit-friday-night.json', admitId),
      providerRouteId,
      providerDestination,
    );
    storeHolds(routed);

    // Act
    const result = await handler(
      sqsEvent(sqsRecord('again', decision(admitId, providerRouteId))),
      context,
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(documents.commandCalls(GetCommand)).toHaveLength(1);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('reports a decision for a referral that is not in the table', async () => {
    // Prepare
    const known = referralFromExample('admit-friday-night.json', admitId);
    storeHolds(known);
    const unknownId = '00000000-0000-4000-8000-000000000000';

    // Act
    const result = await handler(
      sqsEvent(
        sqsRecord('unknown', decision(unknownId, providerRouteId)),
        sqsRecord('known', decision(admitId, providerRouteId)),
      ),
      context,
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'unknown' }] });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
