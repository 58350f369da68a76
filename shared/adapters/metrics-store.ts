import {
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { contactHoursBuckets, type Aggregate, type ProjectedFact } from '../domain/hub-metrics.ts';
import { dynamoDocumentClient } from './clients.ts';

/** Where one referral's facts are counted: the month it came in, its spoke and pathway. */
export interface AggregateCell {
  month: string;
  spoke: string;
  pathway: string;
}

export interface MetricsStoreOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

// One bucket per bound, plus the overflow bucket.
const emptyHistogramLength = contactHoursBuckets.length + 1;

const aggregateKey = (cell: AggregateCell, provider: string) => ({
  PK: `AGGREGATE#${cell.month}`,
  SK: `${cell.spoke}#${cell.pathway}#${provider}`,
});

/**
 * The hub's aggregates, in the same table: one item per (month, spoke, pathway, provider) with
 * counts and histograms, and per referral a marker for each fact already counted, so a repeated
 * or out-of-order event never counts twice. Holds no personal data: ids, codes and numbers only.
 */
export class MetricsStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor({ tableName, client }: MetricsStoreOptions) {
    this.#tableName = tableName;
    this.#client = client ?? dynamoDocumentClient();
  }

  /**
   * Counts one fact of one referral, once: the fact's marker and the aggregate change in one
   * transaction, conditional on the marker not existing yet. False when already counted.
   */
  async count(referralId: string, cell: AggregateCell, projected: ProjectedFact): Promise<boolean> {
    const histogram = projected.histogram;
    const names: Record<string, string> = { '#counts': 'counts', '#fact': projected.fact };
    const values: Record<string, unknown> = { ':one': 1 };
    let update = 'SET #counts.#fact = if_not_exists(#counts.#fact, :zero) + :one';
    values[':zero'] = 0;
    if (histogram) {
      names['#histogram'] = histogram.name;
      update += `, #histogram[${histogram.bucket}] = #histogram[${histogram.bucket}] + :one`;
    }
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              // One marker item per counted fact: its existence is the "counted once" guard.
              Put: {
                TableName: this.#tableName,
                Item: {
                  PK: `REFERRAL#${referralId}`,
                  SK: `COUNTED#${projected.fact}`,
                  entity: 'counted-fact',
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Update: {
                TableName: this.#tableName,
                Key: aggregateKey(cell, projected.provider),
                ConditionExpression: 'attribute_exists(PK)',
                UpdateExpression: update,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'TransactionCanceledException') {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] })
          .CancellationReasons;
        if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return false; // counted already
        if (reasons?.[1]?.Code === 'ConditionalCheckFailed') {
          await this.#createAggregate(cell, projected.provider);
          return this.count(referralId, cell, projected);
        }
      }
      throw error;
    }
  }

  /** The aggregates of the given months: one query per month, whatever the number of referrals. */
  async aggregatesFor(months: readonly string[]): Promise<Aggregate[]> {
    const pages = await Promise.all(
      months.map(async (month) => {
        const items: Record<string, unknown>[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await this.#client.send(
            new QueryCommand({
              TableName: this.#tableName,
              KeyConditionExpression: 'PK = :pk',
              ExpressionAttributeValues: { ':pk': `AGGREGATE#${month}` },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          items.push(...(page.Items ?? []));
          start = page.LastEvaluatedKey;
        } while (start);
        return items;
      }),
    );
    return pages.flat().map((item) => ({
      month: String(item.month),
      spoke: String(item.spoke),
      pathway: String(item.pathway),
      provider: String(item.provider),
      counts: (item.counts ?? {}) as Aggregate['counts'],
      timeToFirstContact: (item.timeToFirstContact ?? []) as number[],
      timeToEngagement: (item.timeToEngagement ?? []) as number[],
    }));
  }

  /** A new aggregate cell with empty counts and histograms; a concurrent creator wins quietly. */
  async #createAggregate(cell: AggregateCell, provider: string): Promise<void> {
    const empty = () => new Array<number>(emptyHistogramLength).fill(0);
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#tableName,
                Item: {
                  ...aggregateKey(cell, provider),
                  entity: 'aggregate',
                  ...cell,
                  provider,
                  // Never an empty map: DynamoDB Local's stream mangles `{}`.
                  counts: { referred: 0 },
                  timeToFirstContact: empty(),
                  timeToEngagement: empty(),
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === 'TransactionCanceledException')) throw error;
    }
  }
}

/**
 * The stored item of one aggregate, as `aggregatesFor` reads it back: key, cell, counts and
 * histograms. For writing aggregates directly (the benchmark's generated history).
 */
export function aggregateItem(aggregate: Aggregate): Record<string, unknown> {
  const { month, spoke, pathway, provider } = aggregate;
  return {
    ...aggregateKey({ month, spoke, pathway }, provider),
    entity: 'aggregate',
    month,
    spoke,
    pathway,
    provider,
    // Never an empty map, as on creation: DynamoDB Local's stream mangles `{}`.
    counts: { referred: 0, ...aggregate.counts },
    timeToFirstContact: aggregate.timeToFirstContact,
    timeToEngagement: aggregate.timeToEngagement,
  };
}
