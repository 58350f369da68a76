import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Log } from '#shared/observability.ts';
import { sweepRetention } from '#shared/services/retention-sweep.ts';
import { tableName } from '#test/unit/functions/builders.ts';
import { tableAdapters } from '#test/helpers/table.ts';
import { indexes, referralKey, retainedUpTo } from '#shared/table/layout.ts';

const documents = mockClient(DynamoDBDocumentClient);
const sweptAt = new Date('2029-11-21T03:00:00.000Z');
const ids = [
  '0c6f3f0e-7a53-4d5e-9b0c-1f2e3d4c5b6a',
  '1d7a4a1f-8b64-4e6f-8c1d-2a3b4c5d6e7f',
  '2e8b5b2a-9c75-4f7a-9d2e-3b4c5d6e7f80',
];
const keysOf = (referralId: string) => referralKey(referralId);

function sweep() {
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  // No cipher, no subject index key: erasing removes sealed data and never opens it.
  const store = tableAdapters({
    tableName,
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  });
  const result = sweepRetention({ store, now: () => sweptAt, log: log as unknown as Log });
  return { result, log };
}

beforeEach(() => {
  documents.reset();
});

describe('sweepRetention', () => {
  it('erases every referral the retention index says has expired, across pages, and logs only ids', async () => {
    // Prepare
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [keysOf(ids[0]!), keysOf(ids[1]!)],
        LastEvaluatedKey: keysOf(ids[1]!),
      })
      .resolves({ Items: [keysOf(ids[2]!)] });
    documents.on(UpdateCommand).resolves({});

    // Act
    const { result, log } = sweep();

    // Assess
    expect(await result).toEqual({ expired: 3, erased: 3 });
    const erased = documents.commandCalls(UpdateCommand).map((call) => call.args[0].input.Key);
    expect(erased).toEqual(ids.map(keysOf));
    const queries = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries[0]).toMatchObject({
      IndexName: indexes.retained.indexName,
      ExpressionAttributeValues: { ':now': retainedUpTo(sweptAt) },
    });
    expect(queries[1]!.ExclusiveStartKey).toEqual(keysOf(ids[1]!));
    expect(log.info.mock.calls).toEqual(
      ids.map((referralId) => ['Personal data erased', { referralId }]),
    );
  });

  it('counts a referral erased meanwhile (a re-run, or TTL first) as expired, not erased', async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [keysOf(ids[0]!), keysOf(ids[1]!)] });
    documents
      .on(UpdateCommand)
      .resolvesOnce({})
      .rejects(
        new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        }),
      );

    // Act
    const { result, log } = sweep();

    // Assess
    expect(await result).toEqual({ expired: 2, erased: 1 });
    expect(log.info).toHaveBeenCalledTimes(1);
  });

  it('does nothing when nothing has expired', async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [] });

    // Act
    const { result } = sweep();

    // Assess
    expect(await result).toEqual({ expired: 0, erased: 0 });
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('lets a failure through, so the schedule retries and parks it', async () => {
    // Prepare
    const failure = new Error('Throughput exceeded');
    documents.on(QueryCommand).resolves({ Items: [keysOf(ids[0]!)] });
    documents.on(UpdateCommand).rejects(failure);

    // Act
    const { result } = sweep();

    // Assess
    await expect(result).rejects.toBe(failure);
  });
});
