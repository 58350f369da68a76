import {
  DynamoDBClient,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '#shared/errors.ts';
import {
  DeliveryInProgressError,
  DeliveryRecords,
  DuplicateDeliveryError,
  type DeliveryRecord,
} from '#shared/table/deliveries.ts';
import { Referrals } from '#shared/table/referrals.ts';
import {
  referralFromExample,
  tableName,
  testCipher,
  testSubjectIndex,
} from '../functions/builders.ts';

const documents = mockClient(DynamoDBDocumentClient);
const client = () => DynamoDBDocumentClient.from(new DynamoDBClient({}));
const referralId = '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const hospital = 'musgrove-park-hospital-ae';
const referrals = () =>
  new Referrals({
    tableName,
    client: client(),
    cipher: testCipher(),
    subjectIndex: testSubjectIndex,
  });
const deliveries = () => new DeliveryRecords({ tableName, client: client() });

const delivery = (fields: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  organisationId: hospital,
  webhookId: 'msg_1',
  bodySha256: 'a'.repeat(64),
  receipt: { referralId, status: 'received' },
  expiresAt: 1_795_000_000,
  ...fields,
});

/** A transaction refused for these reasons, one per item (the referral's, the delivery's). */
const cancelled = (...reasons: CancellationReason[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: reasons,
  });

beforeEach(() => {
  documents.reset();
});

describe('Referrals.create with a delivery', () => {
  it("writes the referral and the delivery's record in one transaction, each only if new", async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    await referrals().create(
      referralFromExample('admit-friday-night.json', referralId),
      delivery(),
    );

    // Assess
    const [call] = documents.commandCalls(TransactWriteCommand);
    const [referral, record] = call!.args[0].input.TransactItems ?? [];
    expect(referral?.Put).toMatchObject({
      TableName: tableName,
      Item: { PK: `REFERRAL#${referralId}`, SK: 'REFERRAL', entity: 'referral' },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(record?.Put).toEqual({
      TableName: tableName,
      Item: {
        PK: `WEBHOOK#${hospital}#msg_1`,
        SK: 'DELIVERY',
        entity: 'webhook-delivery',
        ...delivery(),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('keys an API call by its idempotency key, apart from a webhook with the same id', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    await referrals().create(
      referralFromExample('admit-friday-night.json', referralId),
      delivery({ webhookId: 'case-4711', channel: 'api' }),
    );

    // Assess
    const [call] = documents.commandCalls(TransactWriteCommand);
    expect(call!.args[0].input.TransactItems?.[1]?.Put?.Item).toMatchObject({
      PK: `IDEMPOTENCY#${hospital}#case-4711`,
      SK: 'DELIVERY',
      channel: 'api',
    });
  });

  it('turns a taken delivery key into a DuplicateDeliveryError carrying the first record', async () => {
    // Prepare
    const first = { PK: `WEBHOOK#${hospital}#msg_1`, SK: 'DELIVERY', entity: 'webhook-delivery' };
    documents
      .on(TransactWriteCommand)
      .rejects(
        cancelled(
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed', Item: marshall({ ...first, ...delivery() }) },
        ),
      );

    // Act
    const creating = referrals().create(
      referralFromExample('admit-friday-night.json', referralId),
      delivery(),
    );

    // Assess
    const error = await creating.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DuplicateDeliveryError);
    expect((error as DuplicateDeliveryError).existing).toEqual(delivery());
  });

  it('turns an existing referral into a ConflictError, and a concurrent writer into DeliveryInProgressError', async () => {
    // Prepare
    documents
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled({ Code: 'ConditionalCheckFailed' }, { Code: 'None' }))
      .rejectsOnce(cancelled({ Code: 'None' }, { Code: 'TransactionConflict' }));
    const referral = referralFromExample('admit-friday-night.json', referralId);

    // Act
    const exists = referrals().create(referral, delivery());
    const inProgress = referrals().create(referral, delivery());

    // Assess
    const existsError = await exists.catch((caught: unknown) => caught);
    expect(existsError).toBeInstanceOf(ConflictError);
    expect(existsError).not.toBeInstanceOf(DuplicateDeliveryError);
    await expect(inProgress).rejects.toBeInstanceOf(DeliveryInProgressError);
  });
});

describe('DeliveryRecords.delivery', () => {
  it("reads the channel's record consistently, without the table's bookkeeping", async () => {
    // Prepare
    documents.on(GetCommand).resolves({
      Item: {
        PK: `IDEMPOTENCY#${hospital}#case-4711`,
        SK: 'DELIVERY',
        entity: 'webhook-delivery',
        ...delivery({ webhookId: 'case-4711', channel: 'api' }),
      },
    });

    // Act
    const found = await deliveries().delivery(hospital, 'case-4711', 'api');

    // Assess
    expect(documents.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: tableName,
      Key: { PK: `IDEMPOTENCY#${hospital}#case-4711`, SK: 'DELIVERY' },
      ConsistentRead: true,
    });
    expect(found).toEqual(delivery({ webhookId: 'case-4711', channel: 'api' }));
  });

  it('answers undefined for a delivery never taken', async () => {
    // Prepare
    documents.on(GetCommand).resolves({});

    // Act
    const found = await deliveries().delivery(hospital, 'msg_2');

    // Assess
    expect(documents.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({
      PK: `WEBHOOK#${hospital}#msg_2`,
      SK: 'DELIVERY',
    });
    expect(found).toBeUndefined();
  });
});
