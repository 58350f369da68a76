import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamPoller, streamRecordFilter } from '#local/streams.ts';
import { entities, outboxStreamPattern } from '#shared/table/layout.ts';
import { eventually } from '#test/helpers/runtime.ts';

const streams = mockClient(DynamoDBStreamsClient);
const streamArn = 'arn:aws:dynamodb:local:000000000000:table/referrals/stream/1';
const records = (...sequences: string[]) =>
  sequences.map((SequenceNumber) => ({
    eventName: 'INSERT' as const,
    dynamodb: { SequenceNumber },
  }));
const stale = {
  expired: () => new ExpiredIteratorException({ message: 'expired', $metadata: {} }),
  trimmed: () => new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }),
};

/** A poller that records the sequence numbers it delivers. */
function pollerDelivering(into: string[]): StreamPoller {
  return new StreamPoller({
    streamArn,
    batchSize: 10,
    maximumRetryAttempts: 2,
    pollIntervalMs: 1,
    invoke: async (event: DynamoDBStreamEvent) => {
      into.push(...event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
    },
    onFailure: async () => undefined,
  });
}

let poller: StreamPoller | undefined;

beforeEach(() => {
  streams.reset();
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  streams.on(DescribeStreamCommand).resolves({
    StreamDescription: { Shards: [{ ShardId: 'shard-1' }] },
  });
  streams
    .on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' })
    .resolves({ ShardIterator: 'from-oldest' });
  streams
    .on(GetShardIteratorCommand, {
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: '2',
    })
    .resolves({ ShardIterator: 'after-2' });
  streams.on(GetRecordsCommand, { ShardIterator: 'from-oldest' }).resolves({
    Records: records('1', '2'),
    NextShardIterator: 'next',
  });
  streams.on(GetRecordsCommand, { ShardIterator: 'after-2' }).resolves({
    Records: records('3'),
    NextShardIterator: 'end',
  });
  streams.on(GetRecordsCommand, { ShardIterator: 'end' }).resolves({
    Records: [],
    NextShardIterator: 'end',
  });
});

afterEach(async () => {
  await poller?.stop();
  vi.restoreAllMocks();
});

describe('StreamPoller: a stale iterator', () => {
  it('goes on after the last record delivered when its iterator expires, missing and repeating nothing', async () => {
    // Prepare
    streams.on(GetRecordsCommand, { ShardIterator: 'next' }).rejects(stale.expired());
    const delivered: string[] = [];
    poller = pollerDelivering(delivered);

    // Act
    poller.start();
    await eventually('record 3', async () => (delivered.includes('3') ? true : undefined));

    // Assess
    expect(delivered).toEqual(['1', '2', '3']);
  });

  it('goes on from the oldest record left when the stream was trimmed past what was delivered', async () => {
    // Prepare
    streams.on(GetRecordsCommand, { ShardIterator: 'next' }).rejects(stale.trimmed());
    streams
      .on(GetShardIteratorCommand, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })
      .rejects(stale.trimmed());
    streams
      .on(GetShardIteratorCommand, { ShardIteratorType: 'TRIM_HORIZON' })
      .resolvesOnce({ ShardIterator: 'from-oldest' })
      .resolves({ ShardIterator: 'after-trim' });
    streams.on(GetRecordsCommand, { ShardIterator: 'after-trim' }).resolves({
      Records: records('7'),
      NextShardIterator: 'end',
    });
    const delivered: string[] = [];
    poller = pollerDelivering(delivered);

    // Act
    poller.start();
    await eventually('record 7', async () => (delivered.includes('7') ? true : undefined));

    // Assess
    expect(delivered).toEqual(['1', '2', '7']);
  });
});

describe('StreamPoller: stopped while retrying (a crash)', () => {
  it('leaves the failing record and those after it undone, so the next poller on the stream delivers them again and nothing before', async () => {
    // Prepare: record 2 fails every time, as when the bus is down.
    streams
      .on(GetShardIteratorCommand, {
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: '1',
      })
      .resolves({ ShardIterator: 'after-1' });
    streams.on(GetRecordsCommand, { ShardIterator: 'from-oldest' }).resolves({
      Records: records('1', '2', '3'),
      NextShardIterator: 'end',
    });
    streams.on(GetRecordsCommand, { ShardIterator: 'after-1' }).resolves({
      Records: records('2', '3'),
      NextShardIterator: 'end',
    });
    const checkpoints = new Map<string, string>();
    const attempts: string[][] = [];
    const crashing = new StreamPoller({
      streamArn,
      batchSize: 10,
      maximumRetryAttempts: 1000,
      pollIntervalMs: 1,
      checkpoints,
      invoke: async (event: DynamoDBStreamEvent) => {
        attempts.push(event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
        return { batchItemFailures: [{ itemIdentifier: '2' }] };
      },
      onFailure: async () => undefined,
    });
    crashing.start();
    await eventually('a retry of record 2', async () => (attempts.length >= 2 ? true : undefined));
    await crashing.stop();
    const delivered: string[] = [];

    // Act
    poller = new StreamPoller({
      streamArn,
      batchSize: 10,
      maximumRetryAttempts: 2,
      pollIntervalMs: 1,
      checkpoints,
      invoke: async (event: DynamoDBStreamEvent) => {
        delivered.push(...event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
      },
      onFailure: async () => undefined,
    });
    poller.start();
    await eventually('record 3', async () => (delivered.includes('3') ? true : undefined));

    // Assess
    expect(attempts.slice(0, 2)).toEqual([
      ['1', '2', '3'],
      ['2', '3'],
    ]);
    expect(delivered).toEqual(['2', '3']);
    expect(checkpoints.get('shard-1')).toBe('3');
  });
});

describe("StreamPoller: the mapping's filter criteria", () => {
  /** The publish function's criteria as the template states them (FilterCriteria.filter). */
  const outboxCriteria = { Filters: [{ Pattern: JSON.stringify(outboxStreamPattern) }] };
  const item = (
    SequenceNumber: string,
    entity: string,
    eventName: 'INSERT' | 'MODIFY' = 'INSERT',
  ) => ({
    eventName,
    dynamodb: {
      SequenceNumber,
      Keys: { PK: { S: 'x' }, SK: { S: SequenceNumber } },
      NewImage: { entity: { S: entity } },
    },
  });

  it('invokes the function only with inserted outbox items, and is done with the rest unseen', async () => {
    // Prepare
    streams.on(GetRecordsCommand, { ShardIterator: 'from-oldest' }).resolves({
      Records: [
        item('1', entities.referral),
        item('2', entities.aggregate),
        item('3', entities.transition),
        item('4', entities.referral, 'MODIFY'),
        item('5', entities.auditRead),
      ],
      NextShardIterator: 'end',
    });
    const delivered: string[] = [];
    const checkpoints = new Map<string, string>();
    poller = new StreamPoller({
      streamArn,
      batchSize: 10,
      maximumRetryAttempts: 2,
      pollIntervalMs: 1,
      checkpoints,
      filter: streamRecordFilter(outboxCriteria),
      invoke: async (event: DynamoDBStreamEvent) => {
        delivered.push(...event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
      },
      onFailure: async () => undefined,
    });

    // Act
    poller.start();
    await eventually('the batch done with', async () =>
      checkpoints.get('shard-1') === '5' ? true : undefined,
    );

    // Assess
    expect(delivered).toEqual(['1', '3']);
  });

  it('invokes nothing for a batch filtered to nothing, and moves past it', async () => {
    // Prepare
    streams.on(GetRecordsCommand, { ShardIterator: 'from-oldest' }).resolves({
      Records: [item('1', entities.aggregate), item('2', entities.countedFact)],
      NextShardIterator: 'end',
    });
    const invoke = vi.fn(async () => undefined);
    const checkpoints = new Map<string, string>();
    poller = new StreamPoller({
      streamArn,
      batchSize: 10,
      maximumRetryAttempts: 2,
      pollIntervalMs: 1,
      checkpoints,
      filter: streamRecordFilter(outboxCriteria),
      invoke,
      onFailure: async () => undefined,
    });

    // Act
    poller.start();
    await eventually('the batch done with', async () =>
      checkpoints.get('shard-1') === '2' ? true : undefined,
    );

    // Assess
    expect(invoke).not.toHaveBeenCalled();
  });

  it('lets every record through when the mapping has no filter criteria', () => {
    expect(streamRecordFilter(undefined)).toBeUndefined();
    expect(streamRecordFilter({ Filters: [] })).toBeUndefined();
  });
});
