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
import { referralEventDetailSchema } from '#events/referral-lifecycle.ts';
import type { DeadlineKind } from '#events/vocabulary.ts';
import {
  recordOverdue,
  recordTransition,
  type TransitionRequest,
} from '#shared/domain/transition.ts';
import type { ReferralsOptions } from '#shared/table/referrals.ts';
import { referralKey } from '#shared/table/layout.ts';
import { tableAdapters } from '#test/helpers/table.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { ConflictError } from '#shared/errors.ts';
import {
  referralFromExample,
  referralItem,
  routedReferral,
  tableName,
  testCipher,
  testSubjectIndex,
} from '../functions/builders.ts';

const documents = mockClient(DynamoDBDocumentClient);
const referralId = '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const key = referralKey(referralId);
const provider = 'turning-point-admit';
const at = new Date('2026-11-20T23:10:00.000Z');
const lease = { providerId: provider, receiptHandle: 'receipt-1', expiresAt: at.toISOString() };
const acceptBy = '2026-11-21T00:00:00.000Z';
const firstContactBy = '2026-11-24T17:00:00.000Z';
const deadlines = { acceptBy, firstContactBy };

/**
 * The table's adapters, with a transition and a missed deadline recorded by the domain first,
 * as the services do: what is asserted here is what the adapters write for them.
 */
const adapters = (options: ReferralsOptions) => {
  const table = tableAdapters(options);
  return {
    ...table,
    transition: (before: Referral, request: TransitionRequest) =>
      table.transition(recordTransition(before, request)),
    flagOverdue: (referral: Referral, kind: DeadlineKind, at: Date) =>
      table.flagOverdue(recordOverdue(referral, kind, at)),
  };
};
const newStore = () =>
  adapters({
    tableName,
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    cipher: testCipher(),
    subjectIndex: testSubjectIndex,
  });
/** A store that may not write personal data: what routing, sweeps and referrers use. */
const keylessStore = () =>
  adapters({ tableName, client: DynamoDBDocumentClient.from(new DynamoDBClient({})) });
const received = () => referralFromExample('admit-friday-night.json', referralId);
const routed = (): Referral =>
  routedReferral(received(), `somerset-${provider}`, { kind: 'provider', providerId: provider });
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const withDeadlines = (referral: Referral, fields: Partial<Referral> = {}): Referral => ({
  ...referral,
  deadlines,
  ...fields,
});

/**
 * The placeholders an expression-based request gets wrong: given but never used (DynamoDB
 * refuses the request: "Value provided in ExpressionAttributeNames unused in expressions"), or
 * used but never given.
 */
function placeholderMistakes(input: {
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}) {
  const expressions = `${input.UpdateExpression ?? ''} ${input.ConditionExpression ?? ''}`;
  const given = [
    ...Object.keys(input.ExpressionAttributeNames ?? {}),
    ...Object.keys(input.ExpressionAttributeValues ?? {}),
  ];
  const used: string[] = expressions.match(/[#:][A-Za-z0-9_]+/g) ?? [];
  return {
    unused: given.filter((placeholder) => !used.includes(placeholder)),
    undefined: used.filter((placeholder) => !given.includes(placeholder)),
  };
}

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

describe('Referrals.create', () => {
  it('writes the referral once, with its keys, spoke and organisation indexes, only if it does not exist', async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const referral = received();
    const { personal, ...anonymous } = referral;

    // Act
    await newStore().create(referral);

    // Assess
    const puts = documents.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    const subjectIndex = await testSubjectIndex(personal.subject);
    expect(puts[0]!.args[0].input).toEqual({
      TableName: tableName,
      Item: {
        ...key,
        entity: 'referral',
        GSI2PK: 'SPOKE#somerset',
        GSI2SK: `${referral.receivedAt}#${referralId}`,
        GSI3PK: 'ORGANISATION#musgrove-park-hospital-ae',
        GSI3SK: `${referral.receivedAt}#${referralId}`,
        GSI5PK: `SUBJECT#${subjectIndex}`,
        GSI5SK: `${referral.receivedAt}#${referralId}`,
        GSI6PK: 'RETAINED',
        GSI6SK: `${new Date(referral.expiresAt * 1000).toISOString()}#${referralId}`,
        ...anonymous,
        personalSealed: expect.any(Uint8Array),
        subjectIndex,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  });

  it('puts a referral created already routed to a provider in that provider’s index at once', async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const referral = routed();

    // Act
    await newStore().create(referral);

    // Assess
    const item = documents.commandCalls(PutCommand)[0]!.args[0].input.Item;
    expect(item).toMatchObject({
      ...key,
      status: 'routed',
      providerId: provider,
      GSI1PK: `PROVIDER#${provider}`,
      GSI1SK: `routed#${referral.receivedAt}#${referralId}`,
    });
  });

  it('seals the personal data for this referral and writes none of it in the clear', async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const referral = received();

    // Act
    await newStore().create(referral);

    // Assess
    const item = documents.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).not.toHaveProperty('personal');
    const sealed = item.personalSealed as Uint8Array;
    expect(await testCipher().open('personal', referralId, sealed)).toEqual(referral.personal);
    const written = JSON.stringify(item) + Buffer.from(sealed).toString('latin1');
    for (const value of [
      referral.personal.subject.givenName,
      referral.personal.subject.familyName,
      referral.personal.subject.dateOfBirth,
      referral.personal.subject.postcode,
      referral.personal.referrer.email,
      referral.personal.summary,
    ]) {
      expect(written).not.toContain(value);
    }
  });

  it('refuses to write personal data without a key to seal it with, writing nothing', async () => {
    // Prepare
    documents.on(PutCommand).resolves({});

    // Act
    const creating = keylessStore().create(received());

    // Assess
    await expect(creating).rejects.toThrow(/no key to seal personal data/);
    expect(documents.calls()).toHaveLength(0);
  });

  it('puts a referral with deadlines in the deadline index at its earliest deadline', async () => {
    // Prepare
    documents.on(PutCommand).resolves({});
    const referral = { ...received(), deadlines: { acceptBy: acceptBy, firstContactBy } };

    // Act
    await newStore().create(referral);

    // Assess
    const item = documents.commandCalls(PutCommand)[0]!.args[0].input.Item;
    expect(item).toMatchObject({
      GSI4PK: 'DUE',
      GSI4SK: `${acceptBy}#${referralId}`,
      deadlines: {},
    });
  });

  it('leaves a referral without deadlines out of the deadline index', async () => {
    // Prepare
    documents.on(PutCommand).resolves({});

    // Act
    await newStore().create(received());

    // Assess
    const item = documents.commandCalls(PutCommand)[0]!.args[0].input.Item;
    expect(item).not.toHaveProperty('GSI4PK');
    expect(item).not.toHaveProperty('GSI4SK');
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

describe('Referrals.get', () => {
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

describe('Referrals.transition', () => {
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
      ConditionExpression:
        '#status = :expectedStatus AND updatedAt = :expectedUpdatedAt AND attribute_not_exists(erasedAt)',
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

describe('Referrals.lease', () => {
  it('sets the lease only while the referral is unassigned or this provider’s, and not taken further', async () => {
    // Prepare
    documents.on(UpdateCommand).resolves({});
    const referral = routed();

    // Act
    const leased = await newStore().lease(referral, provider, lease, at);

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
        ':now': at.toISOString(),
      },
    });
  });

  it('returns undefined when the condition does not hold', async () => {
    // Prepare
    documents.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const leased = await newStore().lease(routed(), 'st-giles-sos', lease, at);

    // Assess
    expect(leased).toBeUndefined();
  });
});

describe('Referrals.transition: audit reason and indexes', () => {
  it('writes the coded reason on the audit record', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    await newStore().transition(routed(), {
      to: 'declined',
      at,
      actor: { kind: 'provider', id: provider },
      why: 'declined: no-capacity',
      changes: { decline: { reason: 'no-capacity' }, lease: undefined },
    });

    // Assess
    const { put } = transactionItems();
    expect(put.Item).toMatchObject({
      from: 'routed',
      to: 'declined',
      why: 'declined: no-capacity',
    });
  });

  it('writes no reason when the change gives none', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    await newStore().transition(routed(), {
      to: 'accepted',
      at,
      actor: { kind: 'provider', id: provider },
    });

    // Assess
    expect(transactionItems().put.Item).not.toHaveProperty('why');
  });

  it('moves the referral to its next deadline in the deadline index', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    await newStore().transition(withDeadlines(routed()), {
      to: 'accepted',
      at,
      actor: { kind: 'provider', id: provider },
    });

    // Assess
    const { update } = transactionItems();
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':GSI4PK': 'DUE',
      ':GSI4SK': `${firstContactBy}#${referralId}`,
    });
    expect(update.UpdateExpression).not.toContain('REMOVE');
  });

  it('takes the referral out of the deadline index once no deadline is pending', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const accepted = withDeadlines(routed(), { status: 'accepted' });

    // Act
    await newStore().transition(accepted, {
      to: 'contact-attempted',
      at,
      actor: { kind: 'provider', id: provider },
    });

    // Assess
    const { update } = transactionItems();
    expect(update.UpdateExpression).toMatch(/ REMOVE .*#GSI4PK/);
    expect(update.UpdateExpression).toMatch(/ REMOVE .*#GSI4SK/);
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':GSI4PK');
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':GSI4SK');
  });

  it('skips a deadline already flagged overdue when choosing the next one', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const flagged = withDeadlines(routed(), { overdue: { accept: '2026-11-21T00:05:00.000Z' } });

    // Act
    await newStore().transition(flagged, {
      to: 'routed',
      at,
      actor: { kind: 'system', id: 'test' },
    });

    // Assess
    expect(transactionItems().update.ExpressionAttributeValues).toMatchObject({
      ':GSI4SK': `${firstContactBy}#${referralId}`,
    });
  });

  it('files a rerouted referral under its new provider and removes fields the change ends', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const declined = {
      ...routed(),
      status: 'declined' as const,
      decline: { reason: 'other' as const, details: 'x' },
    };

    // Act
    const after = await newStore().transition(declined, {
      to: 'rerouted',
      at,
      actor: { kind: 'provider', id: provider },
      changes: { providerId: 'st-giles-sos', previousProviders: [provider], decline: undefined },
    });

    // Assess
    expect(after).not.toHaveProperty('decline.reason');
    const { update } = transactionItems();
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':providerId': 'st-giles-sos',
      ':previousProviders': [provider],
      ':GSI1PK': 'PROVIDER#st-giles-sos',
      ':GSI1SK': `rerouted#${declined.receivedAt}#${referralId}`,
    });
    expect(update.UpdateExpression).toMatch(/ REMOVE .*#decline\b/);
    expect(update.UpdateExpression).toMatch(/ REMOVE .*#declineDetailsSealed/);
    expect(update.ExpressionAttributeValues).not.toHaveProperty(':decline');
  });

  it("seals a decline's details, writing only the coded reason in the clear", async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const details = 'Already known to our detached youth work team';

    // Act
    const after = await newStore().transition(routed(), {
      to: 'declined',
      at,
      actor: { kind: 'provider', id: provider },
      changes: { decline: { reason: 'other', details } },
    });

    // Assess
    expect(after?.decline).toEqual({ reason: 'other', details });
    const { update, put } = transactionItems();
    expect(update.ExpressionAttributeValues?.[':decline']).toEqual({ reason: 'other' });
    const sealed = update.ExpressionAttributeValues?.[':declineDetailsSealed'] as Uint8Array;
    expect(await testCipher().open('decline-details', referralId, sealed)).toBe(details);
    expect(JSON.stringify({ update, put })).not.toContain(details);
  });

  it("refuses a decline's details without a key to seal them with, writing nothing", async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    const declining = keylessStore().transition(routed(), {
      to: 'declined',
      at,
      actor: { kind: 'provider', id: provider },
      changes: { decline: { reason: 'other', details: 'free text' } },
    });

    // Assess
    await expect(declining).rejects.toThrow(/no key to seal personal data/);
    expect(documents.calls()).toHaveLength(0);
  });

  it('needs no key for a change without free text (routing, withdrawal, a coded decline)', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    const after = await keylessStore().transition(routed(), {
      to: 'declined',
      at,
      actor: { kind: 'provider', id: provider },
      changes: { decline: { reason: 'no-capacity' } },
    });

    // Assess
    expect(after?.status).toBe('declined');
    const { update } = transactionItems();
    expect(update.UpdateExpression).toMatch(/ REMOVE .*#declineDetailsSealed/);
  });

  it('uses every expression placeholder it gives, and gives every one it uses', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    await newStore().transition(withDeadlines({ ...routed(), lease }), {
      to: 'accepted',
      at,
      actor: { kind: 'provider', id: provider },
      changes: { lease: undefined, milestones: { acceptedAt: at.toISOString() } },
    });

    // Assess
    expect(placeholderMistakes(transactionItems().update)).toEqual({ unused: [], undefined: [] });
  });
});

describe('Referrals.flagOverdue', () => {
  const breached = () => withDeadlines(routed());

  it('flags a missed deadline once, with an audit record and a referral.overdue event, leaving updatedAt alone', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const referral = breached();

    // Act
    const flagged = await newStore().flagOverdue(referral, 'accept', at);

    // Assess
    expect(flagged).toBe(true);
    const { update, put } = transactionItems();
    expect(update).toMatchObject({
      TableName: tableName,
      Key: key,
      ConditionExpression:
        'attribute_exists(PK) AND (attribute_not_exists(overdue) OR attribute_not_exists(overdue.#kind))',
      ExpressionAttributeValues: {
        ':overdue': { accept: at.toISOString() },
        ':GSI4PK': 'DUE',
        ':GSI4SK': `${firstContactBy}#${referralId}`,
      },
    });
    expect(update.ExpressionAttributeNames).toMatchObject({ '#kind': 'accept' });
    expect(update.UpdateExpression).not.toContain('updatedAt');
    expect(update.UpdateExpression).not.toContain('status');
    expect(put).toMatchObject({
      TableName: tableName,
      ConditionExpression: 'attribute_not_exists(PK)',
      Item: {
        PK: key.PK,
        SK: `TRANSITION#${at.toISOString()}#overdue-accept`,
        entity: 'transition',
        eventType: 'referral.overdue',
        from: 'routed',
        to: 'routed',
        at: at.toISOString(),
        actor: { kind: 'system', id: 'sla-sweep' },
        why: 'overdue: accept',
        event: {
          referralId,
          status: 'routed',
          overdue: 'accept',
          occurredAt: at.toISOString(),
          providerId: provider,
        },
      },
    });
    expect(referralEventDetailSchema.safeParse(put.Item?.event).success).toBe(true);
    expect(JSON.stringify(put.Item)).not.toContain('Jordan');
    expect(placeholderMistakes(update)).toEqual({ unused: [], undefined: [] });
  });

  it('keeps an earlier flag and leaves the deadline index once the last deadline is flagged', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});
    const earlier = '2026-11-21T00:05:00.000Z';
    const referral = withDeadlines(routed(), { overdue: { accept: earlier } });

    // Act
    const flagged = await newStore().flagOverdue(referral, 'first-contact', at);

    // Assess
    expect(flagged).toBe(true);
    const { update, put } = transactionItems();
    expect(update.ExpressionAttributeValues).toMatchObject({
      ':overdue': { accept: earlier, 'first-contact': at.toISOString() },
    });
    expect(update.ExpressionAttributeNames).toMatchObject({ '#kind': 'first-contact' });
    expect(update.UpdateExpression).toMatch(/ REMOVE .*#GSI4PK/);
    expect(put.Item).toMatchObject({
      SK: `TRANSITION#${at.toISOString()}#overdue-first-contact`,
      event: { overdue: 'first-contact' },
    });
  });

  it('returns false when the deadline was flagged already (the condition does not hold)', async () => {
    // Prepare
    documents
      .on(TransactWriteCommand)
      .rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }));

    // Act
    const flagged = await newStore().flagOverdue(breached(), 'accept', at);

    // Assess
    expect(flagged).toBe(false);
  });

  it('lets any other failure through unchanged', async () => {
    // Prepare
    const failure = new Error('Service unavailable');
    documents.on(TransactWriteCommand).rejects(failure);

    // Act
    const flagging = newStore().flagOverdue(breached(), 'accept', at);

    // Assess
    await expect(flagging).rejects.toBe(failure);
  });
});

describe('Referrals.refreshDeadlineIndex', () => {
  it('puts an existing referral back in the index at its next pending deadline', async () => {
    // Prepare
    documents.on(UpdateCommand).resolves({});
    const referral = withDeadlines(routed(), { status: 'accepted' });

    // Act
    await newStore().refreshDeadlineIndex(referral);

    // Assess
    const updates = documents.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({
      TableName: tableName,
      Key: key,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':GSI4PK': 'DUE', ':GSI4SK': `${firstContactBy}#${referralId}` },
    });
  });

  it('takes a referral with nothing pending out of the index', async () => {
    // Prepare
    documents.on(UpdateCommand).resolves({});
    const referral = withDeadlines(routed(), { status: 'engaged' });

    // Act
    await newStore().refreshDeadlineIndex(referral);

    // Assess
    const input = documents.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.UpdateExpression).toBe('REMOVE #GSI4PK, #GSI4SK');
    expect(input.ExpressionAttributeValues).toBeUndefined();
  });

  it('uses every expression placeholder it gives, and gives every one it uses', async () => {
    // Prepare
    documents.on(UpdateCommand).resolves({});

    // Act
    await newStore().refreshDeadlineIndex(withDeadlines(routed()));
    await newStore().refreshDeadlineIndex(withDeadlines(routed(), { status: 'closed' }));

    // Assess
    for (const call of documents.commandCalls(UpdateCommand)) {
      expect(placeholderMistakes(call.args[0].input)).toEqual({ unused: [], undefined: [] });
    }
  });
});

describe('Referrals.erasePersonalData', () => {
  it('erases the sealed data, the blind index, both indexes and the TTL, once, only when expired', async () => {
    // Prepare
    documents.on(UpdateCommand).resolves({});

    // Act
    const erased = await keylessStore().erasePersonalData(referralId, at);

    // Assess
    expect(erased).toBe(true);
    const input = documents.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      TableName: tableName,
      Key: key,
      ConditionExpression:
        'attribute_exists(PK) AND attribute_not_exists(erasedAt) AND expiresAt <= :now',
      ExpressionAttributeValues: {
        ':at': at.toISOString(),
        ':now': Math.floor(at.getTime() / 1000),
      },
    });
    const removed = Object.values(input.ExpressionAttributeNames ?? {});
    expect(removed.sort()).toEqual(
      [
        'GSI5PK',
        'GSI5SK',
        'GSI6PK',
        'GSI6SK',
        'declineDetailsSealed',
        'expiresAt',
        'personal',
        'personalSealed',
        'subjectIndex',
      ].sort(),
    );
    expect(input.UpdateExpression).toMatch(/^SET erasedAt = :at REMOVE /);
    for (const kept of ['status', 'updatedAt', 'providerId', 'milestones', 'decline']) {
      expect(removed).not.toContain(kept);
    }
    expect(placeholderMistakes(input)).toEqual({ unused: [], undefined: [] });
  });

  it('returns false when there is nothing to erase (already erased, gone or not yet expired)', async () => {
    // Prepare
    documents.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const erased = await keylessStore().erasePersonalData(referralId, at);

    // Assess
    expect(erased).toBe(false);
  });
});
