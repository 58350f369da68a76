import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Referral } from '#shared/domain/referral.ts';
import type { Log } from '#shared/observability.ts';
import { sweepDeadlines } from '#shared/services/sla-sweep.ts';
import {
  personalValuesOf,
  referralFromExample,
  referralItem,
  routedReferral,
  tableName,
} from '#test/unit/functions/builders.ts';
import { tableAdapters } from '#test/helpers/table.ts';
import { duePartition, dueUpTo, indexes, referralKey } from '#shared/table/layout.ts';

const documents = mockClient(DynamoDBDocumentClient);
const provider = 'turning-point-admit';
/** Five past midnight, just after the end of Friday night's Admit shift (the same-shift deadline). */
const sweptAt = new Date('2026-11-21T00:05:00.000Z');
const shiftEnd = '2026-11-21T00:00:00.000Z';
const ids = [
  '0c6f3f0e-7a53-4d5e-9b0c-1f2e3d4c5b6a',
  '1d7a4a1f-8b64-4e6f-8c1d-2a3b4c5d6e7f',
  '2e8b5b2a-9c75-4f7a-9d2e-3b4c5d6e7f80',
];

/** An Admit referral received on Friday night, routed to Turning Point, due by the end of the shift. */
function dueReferral(fields: Partial<Referral> = {}, referralId = ids[0]!): Referral {
  const routed = routedReferral(
    referralFromExample('admit-friday-night.json', referralId),
    `somerset-${provider}`,
    { kind: 'provider', providerId: provider },
  );
  return { ...routed, deadlines: { acceptBy: shiftEnd, firstContactBy: shiftEnd }, ...fields };
}

/** The deadline index answering one page holding these referrals. */
const indexHolds = (...referrals: Referral[]) =>
  documents.on(QueryCommand).resolves({ Items: referrals.map(referralItem) });

function sweep() {
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const store = tableAdapters({
    tableName,
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  });
  const result = sweepDeadlines({ store, now: () => sweptAt, log: log as unknown as Log });
  return { result, log };
}

/** The referral Update of each transaction written, in order. */
const flagUpdates = () =>
  documents
    .commandCalls(TransactWriteCommand)
    .map((call) => call.args[0].input.TransactItems?.[0]?.Update);

beforeEach(() => {
  documents.reset();
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(TransactWriteCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
});

describe('sweepDeadlines', () => {
  it('asks the deadline index only for what is due by now', async () => {
    // Prepare
    indexHolds();

    // Act
    const { result } = sweep();

    // Assess
    await expect(result).resolves.toEqual({ checked: 0, flagged: 0 });
    const queries = documents.commandCalls(QueryCommand);
    expect(queries).toHaveLength(1);
    expect(queries[0]!.args[0].input).toMatchObject({
      IndexName: indexes.due.indexName,
      ExpressionAttributeValues: { ':due': duePartition, ':now': dueUpTo(sweptAt) },
    });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('flags a routed referral past both deadlines for acceptance and first contact, once each', async () => {
    // Prepare
    indexHolds(dueReferral());

    // Act
    const { result, log } = sweep();

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 2 });
    const [accept, firstContact] = flagUpdates();
    expect(accept?.ExpressionAttributeNames).toMatchObject({ '#kind': 'accept' });
    expect(accept?.ConditionExpression).toContain('attribute_not_exists(overdue.#kind)');
    expect(firstContact?.ExpressionAttributeNames).toMatchObject({ '#kind': 'first-contact' });
    // The second flag keeps the first: both are on the referral once the sweep is done.
    expect(firstContact?.ExpressionAttributeValues).toMatchObject({
      ':overdue': { accept: sweptAt.toISOString(), 'first-contact': sweptAt.toISOString() },
    });
    expect(firstContact?.UpdateExpression).toMatch(
      new RegExp(`REMOVE .*#${indexes.due.partitionKey}`),
    );
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(log.info).toHaveBeenCalledWith('Deadline missed', {
      referralId: ids[0],
      deadline: 'accept',
    });
    const logged = JSON.stringify(log.info.mock.calls);
    for (const personal of personalValuesOf('admit-friday-night.json')) {
      expect(logged).not.toContain(personal);
    }
  });

  it('flags only first contact for a referral accepted in time but not contacted', async () => {
    // Prepare
    indexHolds(dueReferral({ status: 'accepted' }));

    // Act
    const { result } = sweep();

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 1 });
    const updates = flagUpdates();
    expect(updates).toHaveLength(1);
    expect(updates[0]?.ExpressionAttributeNames).toMatchObject({ '#kind': 'first-contact' });
  });

  it('counts nothing when another sweep flagged the deadlines first (the condition failed)', async () => {
    // Prepare
    indexHolds(dueReferral());
    documents
      .on(TransactWriteCommand)
      .rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }));

    // Act
    const { result, log } = sweep();

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 0 });
    expect(log.info).not.toHaveBeenCalled();
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('flags nothing again for a referral the index still lists with both deadlines flagged', async () => {
    // Prepare
    const flagged = {
      accept: '2026-11-21T00:00:30.000Z',
      'first-contact': '2026-11-21T00:00:30.000Z',
    };
    indexHolds(dueReferral({ overdue: flagged }));

    // Act
    const { result } = sweep();

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 0 });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const refreshes = documents.commandCalls(UpdateCommand);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.args[0].input.UpdateExpression).toBe(
      `REMOVE #${indexes.due.partitionKey}, #${indexes.due.sortKey}`,
    );
  });

  it('takes a referral whose deadlines no longer apply out of the index, flagging nothing', async () => {
    // Prepare
    indexHolds(dueReferral({ status: 'contact-attempted' }));

    // Act
    const { result } = sweep();

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 0 });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const refreshes = documents.commandCalls(UpdateCommand);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.args[0].input).toMatchObject({
      Key: referralKey(ids[0]!),
      UpdateExpression: `REMOVE #${indexes.due.partitionKey}, #${indexes.due.sortKey}`,
    });
  });

  it('moves a referral with its acceptance flagged on to its first-contact deadline', async () => {
    // Prepare
    const firstContactBy = '2026-11-24T17:00:00.000Z';
    indexHolds(
      dueReferral({
        deadlines: { acceptBy: shiftEnd, firstContactBy },
        overdue: { accept: '2026-11-21T00:00:30.000Z' },
      }),
    );

    // Act
    const { result } = sweep();

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 0 });
    const refreshes = documents.commandCalls(UpdateCommand);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.args[0].input.ExpressionAttributeValues).toEqual({
      [`:${indexes.due.partitionKey}`]: duePartition,
      [`:${indexes.due.sortKey}`]: `${firstContactBy}#${ids[0]}`,
    });
  });

  it('pages through the whole index, following each cursor', async () => {
    // Prepare
    const keyOf = (referralId: string) => ({
      ...referralKey(referralId),
      [indexes.due.partitionKey]: duePartition,
      [indexes.due.sortKey]: `${shiftEnd}#${referralId}`,
    });
    const [first, second, third] = ids.map((id) => dueReferral({ status: 'accepted' }, id));
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [referralItem(first!)], LastEvaluatedKey: keyOf(ids[0]!) })
      .resolvesOnce({ Items: [referralItem(second!)], LastEvaluatedKey: keyOf(ids[1]!) })
      .resolvesOnce({ Items: [referralItem(third!)] });

    // Act
    const { result } = sweep();

    // Assess
    await expect(result).resolves.toEqual({ checked: 3, flagged: 3 });
    const starts = documents
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExclusiveStartKey);
    expect(starts).toEqual([undefined, keyOf(ids[0]!), keyOf(ids[1]!)]);
  });

  it('either flags a referral still received after its deadline or takes it out of the index', async () => {
    // Prepare
    const unrouted = {
      ...referralFromExample('admit-friday-night.json', ids[0]!),
      deadlines: { acceptBy: shiftEnd, firstContactBy: shiftEnd },
    };
    indexHolds(unrouted);

    // Act
    const { result } = sweep();

    // Assess
    await result;
    const flagged = documents.commandCalls(TransactWriteCommand).length > 0;
    const removed = documents
      .commandCalls(UpdateCommand)
      .some((call) => call.args[0].input.UpdateExpression?.startsWith('REMOVE'));
    expect(flagged || removed).toBe(true);
  });
});
