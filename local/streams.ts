import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { compilePattern } from '#shared/routing/pattern.ts';
import { PollingLoop } from './polling-loop.ts';

export interface StreamMapping {
  streamArn: string;
  batchSize: number;
  maximumRetryAttempts: number;
  invoke: (event: DynamoDBStreamEvent) => Promise<unknown>;
  /** Where records go after the last retry (the mapping's on-failure destination). */
  onFailure: (records: DynamoDBRecord[]) => Promise<void>;
  pollIntervalMs?: number;
  /**
   * Which records the function is invoked with (the mapping's filter criteria); the others are
   * done with unseen, as Lambda drops them. @default every record
   */
  filter?: (record: DynamoDBRecord) => boolean;
  /**
   * Per shard, the sequence number of the last record done with (delivered, or sent to the
   * on-failure destination). Pass the same map to a poller started later on the same stream
   * and it resumes there, as a Lambda event source mapping keeps its position when its function
   * crashes. @default a map of this poller's own
   */
  checkpoints?: Map<string, string>;
}

/**
 * Reads a DynamoDB Local stream and invokes a handler as Lambda's event source mapping does:
 * in order per shard, in batches, honouring ReportBatchItemFailures by retrying from the first
 * failed record, and sending a batch to the on-failure destination after the last retry. A
 * record counts as done (its checkpoint moves past it) only then: stopped while retrying, a
 * poller leaves the rest of the batch to be delivered again by the next poller on the stream.
 */
export class StreamPoller extends PollingLoop {
  readonly #client = new DynamoDBStreamsClient({});
  readonly #iterators = new Map<string, string | undefined>();
  /** Per shard, the last record done with: where to resume when an iterator goes stale. */
  readonly #lastDelivered: Map<string, string>;

  constructor(private readonly mapping: StreamMapping) {
    super('Stream', mapping.pollIntervalMs);
    this.#lastDelivered = mapping.checkpoints ?? new Map<string, string>();
  }

  /** Stops polling after the batch in hand. */
  override async stop(): Promise<void> {
    await super.stop();
    this.#client.destroy();
  }

  protected async pollOnce(): Promise<boolean> {
    const { StreamDescription } = await this.#client.send(
      new DescribeStreamCommand({ StreamArn: this.mapping.streamArn }),
    );
    let busy = false;
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (!shardId) continue;
      if (!this.#iterators.has(shardId)) {
        this.#iterators.set(shardId, await this.#iteratorFor(shardId));
      }
      const iterator = this.#iterators.get(shardId);
      if (!iterator) continue; // closed and fully read
      let page;
      try {
        page = await this.#client.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.mapping.batchSize }),
        );
      } catch (error) {
        if (!isStaleIterator(error)) throw error;
        // As Lambda does: carry on after the last record delivered, or from the oldest record
        // left when the stream was trimmed past it. Never stuck on a dead iterator.
        this.#iterators.delete(shardId);
        busy = true;
        continue;
      }
      const { Records, NextShardIterator } = page;
      if (Records && Records.length > 0) {
        busy = true;
        await this.#deliver(
          shardId,
          Records.map((record) => toLambdaRecord(record, this.mapping.streamArn)),
        );
      }
      this.#iterators.set(shardId, NextShardIterator);
    }
    return busy;
  }

  /** A new iterator: after the last record delivered if it is still there, else the oldest. */
  async #iteratorFor(shardId: string): Promise<string | undefined> {
    const last = this.#lastDelivered.get(shardId);
    const shard = { StreamArn: this.mapping.streamArn, ShardId: shardId };
    if (last) {
      try {
        const { ShardIterator } = await this.#client.send(
          new GetShardIteratorCommand({
            ...shard,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            SequenceNumber: last,
          }),
        );
        return ShardIterator;
      } catch (error) {
        if (!isStaleIterator(error)) throw error;
        console.error(
          `Stream ${shardId} was trimmed past what was delivered; going on from the oldest record`,
        );
      }
    }
    const { ShardIterator } = await this.#client.send(
      new GetShardIteratorCommand({ ...shard, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    return ShardIterator;
  }

  /**
   * Delivers a batch until every record is done, moving the shard's checkpoint past each record
   * done with. Returns early, leaving the rest undone, when the poller is stopped while retrying.
   */
  async #deliver(shardId: string, batch: DynamoDBRecord[]): Promise<void> {
    const done = (record: DynamoDBRecord | undefined) => {
      const sequenceNumber = record?.dynamodb?.SequenceNumber;
      if (sequenceNumber) this.#lastDelivered.set(shardId, sequenceNumber);
    };
    const { filter } = this.mapping;
    const records = filter ? batch.filter((record) => filter(record)) : batch;
    // A batch filtered to nothing invokes nothing; it is done with all the same.
    if (records.length === 0) done(batch.at(-1));
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const failedFrom = await this.#invoke(pending);
      if (failedFrom === undefined) {
        // Records filtered out after the last one delivered are done with too.
        done(batch.at(-1));
        return;
      }
      // As Lambda does with ReportBatchItemFailures: what came before the first failure is done.
      if (failedFrom > 0) done(pending[failedFrom - 1]);
      pending = pending.slice(failedFrom);
      if (attempt >= this.mapping.maximumRetryAttempts) {
        await this.mapping.onFailure(pending);
        done(batch.at(-1));
        return;
      }
      if (this.stopping) return;
      await sleep(Math.min(100 * 2 ** attempt, 5000));
      if (this.stopping) return;
    }
  }

  /** Index of the first record to retry, or undefined when the whole batch succeeded. */
  async #invoke(records: DynamoDBRecord[]): Promise<number | undefined> {
    try {
      const response = (await this.mapping.invoke({ Records: records })) as
        { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      if (failed.size === 0) return undefined;
      const index = records.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
      return index === -1 ? 0 : index;
    } catch (error) {
      // A handler that throws fails the whole batch, as on Lambda; say so, it will be retried.
      console.error('Stream batch failed (retrying)', error);
      return 0;
    }
  }
}

/** An event source mapping's filter criteria, as the template gives them. */
export interface FilterCriteria {
  Filters?: { Pattern?: string }[];
}

/**
 * Lambda's event filtering, with the local EventBridge pattern engine: a record goes to the
 * function when any filter's pattern matches it (the stream record as Lambda presents it, its
 * images marshalled). Undefined when there are no filters: every record goes.
 */
export function streamRecordFilter(
  criteria: FilterCriteria | undefined,
): ((record: DynamoDBRecord) => boolean) | undefined {
  const patterns = (criteria?.Filters ?? []).map(({ Pattern }) => compilePattern(Pattern ?? '{}'));
  if (patterns.length === 0) return undefined;
  // Only what the record holds: a field left undefined is absent, as in the JSON Lambda matches.
  return (record) => {
    const plain = JSON.parse(JSON.stringify(record)) as unknown;
    return patterns.some((matches) => matches(plain));
  };
}

/** An iterator that expired (after 15 minutes) or points at records the stream has trimmed. */
function isStaleIterator(error: unknown): boolean {
  return (
    error instanceof Error &&
    ['ExpiredIteratorException', 'TrimmedDataAccessException'].includes(error.name)
  );
}

function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(data?.ApproximateCreationDateTime
        ? {
            ApproximateCreationDateTime: Math.floor(
              data.ApproximateCreationDateTime.getTime() / 1000,
            ),
          }
        : {}),
      Keys: data?.Keys as never,
      NewImage: data?.NewImage as never,
      OldImage: data?.OldImage as never,
      SequenceNumber: data?.SequenceNumber,
      SizeBytes: data?.SizeBytes,
      StreamViewType: data?.StreamViewType as never,
    },
  };
}
