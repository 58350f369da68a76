import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ReferralStore } from '#shared/adapters/referral-store.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { ConflictError } from '#shared/errors.ts';
import {
  referralFromExample,
  referralItem,
  routedReferral,
  tableName,
} from '../functions/builders.ts';

const documents = mockClient(DynamoDBDocumentClient);
const referralId = '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const key = { PK: `REFERRAL#${referralId}`, SK: 'REFERRAL' };
const provider = 'turning-point-admit';
const at = new Date('2026-11-20T23:10:00.000Z');
const lease = { providerId: provider, receiptHandle: 'receipt-1', expiresAt: at.toISOString() };

const newStore = () =>
  new ReferralStore({
    tableName,
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  });
const received = () => referralFromExample('admit-friday-night.json', referralId);
const routed = (): Referral =>
  routedReferral(received(), `somerset-${provider}`, { kind: 'provider', providerId: provider });
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** The Update and Put of the one transaction sent. */
const transactionItems = () => {
  const calls = documents.commandCalls(TransactWriteCommand);
  expect(calls).toHaveLength(1);
  const [update, put] = calls[0]!.args[0].input.TransactItems ?? [];
  return { update: update!.Update!, put: put!.Put! };
};

beforeEach(() => {
  documents.reset();
});

describe('ReferralStore.create', () => {
  it('writes the referral once, with its keys and spoke index, only if it does not exist', async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const referral = received();

    // Act
    await newStore().create(referral);

    // Assess
    const puts = documents.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.args[0].input).toEqual({
      TableName: tableName,
      Item: {
        ...key,
        entity: 'referral',
        GSI2PK: 'SPOKE#somerset',
        GSI2SK: `${referral.receivedAt}#${referralId}`,
        ...referral,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  });

  it('turns an existing referral into a ConflictError', async () => {
    // Prepare
    documents.on(PutCommand).rejects(conditionFailed());

    // Act
    const creating = newStore().create(received());

    // Assess
    await expect(creating).rejects.toThrow(ConflictError);
  });

  it('lets any other failure through unchanged', async () => {
    // Prepare
    const failure = new Error('Service unavailable');
    documents.on(PutCommand).rejects(failure);

    // Act
    const creating = newStore().create(received());

    // Assess
    await expect(creating).rejects.toBe(failure);
  });
});

describe('ReferralStore.get', () => {
  it('reads consistently and returns the referral without the table bookkeeping', async () => {
    // Prepare
    const referral = routed();
    documents.on(GetCommand, { Key: key }).resolves({ Item: referralItem(referral) });

    // Act
    const found = await newStore().get(referralId);

    // Assess
    expect(found).toEqual(referral);
    expect(documents.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: tableName,
      Key: key,
      ConsistentRead: true,
    });
  });

  it('returns undefined when there is no such referral', async () => {
    // Prepare
    documents.on(GetCommand).resolves({});

    // Act
    const found = await newStore().get(referralId);

    // Assess
    expect(found).toBeUndefined();
  });
});

describe('ReferralStore.transition', () => {
  it('updates the referral only if unchanged and adds the audit record, in one transaction', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const before = routed();

    // Act
    const after = await newStore().transition(before, {
      to: 'accepted',
      at,
      actor: { kind: 'provider', id: provider },
    });

    // Assess
    expect(after).toMatchObject({ status: 'accepted', updatedAt: at.toISOString() });
    const { update, put } = transactionItems();
    expect(update).toMatchObject({
      TableName: tableName,
      Key: key,
      ConditionExpression: '#status = :expectedStatus AND updatedAt = :expectedUpdatedAt',
      ExpressionAttributeValues: {
        ':expectedStatus': 'routed',
        ':expectedUpdatedAt': before.updatedAt,
        ':status': 'accepted',
        ':GSI1SK': `accepted#${before.receivedAt}#${referralId}`,
      },
    });
    expect(put).toMatchObject({
      TableName: tableName,
      ConditionExpression: 'attribute_not_exists(PK)',
      Item: {
        PK: key.PK,
        SK: `TRANSITION#${at.toISOString()}#accepted`,
        entity: 'transition',
        from: 'routed',
        to: 'accepted',
        event: { referralId, status: 'accepted', occurredAt: at.toISOString() },
      },
    });
    expect(put.Item).not.toHaveProperty('personal');
    expect(JSON.stringify(put.Item)).not.toContain('Jordan');
  });

  it('leaves a lease alone unless the change names it', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const before = { ...routed(), lease };

    // Act
    const after = await newStore().transition(before, {
      to: 'routed',
      at,
      actor: { kind: 'system', id: 'test' },
    });

    // Assess
    expect(after?.lease).toEqual(lease);
    const { update } = transactionItems();
    expect(update.UpdateExpression).not.toContain('lease');
    expect(update.ExpressionAttributeNames).not.toHaveProperty('#lease');
  });

  it('removes the lease when the change ends it', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const before = { ...routed(), lease };

    // Act
    const after = await newStore().transition(before, {
      to: 'accepted',
      at,
      actor: { kind: 'provider', id: provider },
      changes: { lease: undefined },
    });

    // Assess
    expect(after?.lease).toBeUndefined();
    const { update } = transactionItems();
    expect(update.UpdateExpression).toMatch(/ REMOVE .*#lease/);
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':lease');
  });

  it('returns undefined when the referral changed meanwhile (a race lost)', async () => {
    // Prepare
    documents
      .on(TransactWriteCommand)
      .rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }));

    // Act
    const after = await newStore().transition(routed(), {
      to: 'accepted',
      at,
      actor: { kind: 'provider', id: provider },
    });

    // Assess
    expect(after).toBeUndefined();
  });

  it('lets any other failure through unchanged', async () => {
    // Prepare
    const failure = new Error('Service unavailable');
    documents.on(TransactWriteCommand).rejects(failure);

    // Act
    const transitioning = newStore().transition(routed(), {
      to: 'accepted',
      at,
      actor: { kind: 'provider', id: provider },
    });

    // Assess
    await expect(transitioning).rejects.toBe(failure);
  });
});

describe('ReferralStore.lease', () => {
  it('sets the lease only while the referral is unassigned or this provider’s, and not taken further', async () => {
    // Prepare
    documents.on(UpdateCommand).resolves({});
    const referral = routed();

    // Act
    const leased = await newStore().lease(referral, provider, lease);

    // Assess
    expect(leased).toEqual({ ...referral, lease });
    const updates = documents.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET lease = :lease',
      ExpressionAttributeValues: {
        ':received': 'received',
        ':routed': 'routed',
        ':providerId': provider,
        ':lease': lease,
      },
    });
  });

  it('returns undefined when the condition does not hold', async () => {
    // Prepare
    documents.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const leased = await newStore().lease(routed(), 'st-giles-sos', lease);

    // Assess
    expect(leased).toBeUndefined();
  });
});
