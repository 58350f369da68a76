import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { PollingLoop } from './polling-loop.ts';

export interface StreamMapping {
  streamArn: string;
  batchSize: number;
  maximumRetryAttempts: number;
  invoke: (event: DynamoDBStreamEvent) => Promise<unknown>;
  /** Where records go after the last retry (the mapping's on-failure destination). */
  onFailure: (records: DynamoDBRecord[]) => Promise<void>;
  pollIntervalMs?: number;
}

/**
 * Reads a DynamoDB Local stream and invokes a handler as Lambda's event source mapping does:
 * in order per shard, in batches, honouring ReportBatchItemFailures by retrying from the first
 * failed record, and sending a batch to the on-failure destination after the last retry.
 */
export class StreamPoller extends PollingLoop {
  readonly #client = new DynamoDBStreamsClient({});
  readonly #iterators = new Map<string, string | undefined>();
  /** Per shard, the last record delivered: where to resume when an iterator goes stale. */
  readonly #lastDelivered = new Map<string, string>();

  constructor(private readonly mapping: StreamMapping) {
    super('Stream', mapping.pollIntervalMs);
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
          Records.map((record) => toLambdaRecord(record, this.mapping.streamArn)),
        );
        const last = Records.at(-1)?.dynamodb?.SequenceNumber;
        if (last) this.#lastDelivered.set(shardId, last);
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

  async #deliver(records: DynamoDBRecord[]): Promise<void> {
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const failedFrom = await this.#invoke(pending);
      if (failedFrom === undefined) return;
      pending = pending.slice(failedFrom);
      if (attempt >= this.mapping.maximumRetryAttempts) {
        await this.mapping.onFailure(pending);
        return;
      }
      await sleep(Math.min(100 * 2 ** attempt, 5000));
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
