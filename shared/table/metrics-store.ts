import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  contactHoursBuckets,
  type Aggregate,
  type ProjectedFact,
  type Stage,
} from '../domain/hub-metrics.ts';
import type { ReconciliationReport } from '../domain/reconciliation.ts';
import { dynamoDocumentClient } from '../adapters/clients.ts';
import {
  aggregateKey,
  aggregatePartition,
  countedFactKey,
  entities,
  hubStageKey,
  reconciliationKey,
  tableKey,
  withoutTableAttributes,
} from './layout.ts';

const pk = tableKey.partitionKey;

/** Where one referral's facts are counted: the month it came in, its spoke and pathway. */
export interface AggregateCell {
  month: string;
  spoke: string;
  pathway: string;
}

/** Where a referral stands, as of an event: its stage (none when off every list) and provider. */
export interface StagePosition {
  stage: Stage | undefined;
  provider: string;
  /** When the event happened: an older one than the last applied changes nothing. */
  at: string;
}

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

// How often a stage move is tried again when another event of the same referral moved it first.
const stageMoveAttempts = 5;

export interface MetricsStoreOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

// One bucket per bound, plus the overflow bucket.
const emptyHistogramLength = contactHoursBuckets.length + 1;

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

  /** Keeps the latest reconciliation check's counts, for the hub (no referral ids). */
  async saveReconciliation(report: ReconciliationReport): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...reconciliationKey, entity: entities.reconciliation, ...report },
      }),
    );
  }

  /** The latest reconciliation check's counts, if one has run. */
  async latestReconciliation(): Promise<ReconciliationReport | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: reconciliationKey }),
    );
    if (!Item) return undefined;
    return withoutTableAttributes(Item) as unknown as ReconciliationReport;
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
                  ...countedFactKey(referralId, projected.fact),
                  entity: entities.countedFact,
                },
                ConditionExpression: `attribute_not_exists(${pk})`,
              },
            },
            {
              Update: {
                TableName: this.#tableName,
                Key: aggregateKey(cell, projected.provider),
                ConditionExpression: `attribute_exists(${pk})`,
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
      const reasons = cancellationReasons(error);
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return false; // counted already
      if (reasons?.[1]?.Code === 'ConditionalCheckFailed') {
        await this.#createAggregate(cell, projected.provider);
        return this.count(referralId, cell, projected);
      }
      throw error;
    }
  }

  /**
   * Moves a referral from the stage it was in to the one `to` says, in the waiting-list counts of
   * its cell: one down where it was, one up where it is. A marker item remembers where it stands
   * and as of when, so an event older than (or as old as) the last one applied changes nothing.
   * False when nothing moved.
   */
  async moveStage(referralId: string, cell: AggregateCell, to: StagePosition): Promise<boolean> {
    const markerKey = hubStageKey(referralId);
    for (let attempt = 0; attempt < stageMoveAttempts; attempt++) {
      const { Item: marker } = await this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: markerKey, ConsistentRead: true }),
      );
      const from = marker as Partial<StagePosition> | undefined;
      if (from?.at !== undefined && from.at >= to.at) return false;
      const items: TransactItem[] = [
        {
          Put: {
            TableName: this.#tableName,
            Item: { ...markerKey, entity: entities.hubStage, ...definedStage(to) },
            // Guards against another event of this referral moving it since the read.
            ConditionExpression: from ? '#at = :read' : `attribute_not_exists(${pk})`,
            ...(from
              ? {
                  ExpressionAttributeNames: { '#at': 'at' },
                  ExpressionAttributeValues: { ':read': from.at },
                }
              : {}),
          },
        },
        ...this.#stageUpdates(
          cell,
          from?.stage ? { stage: from.stage, provider: String(from.provider) } : undefined,
          to,
        ),
      ];
      try {
        await this.#client.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (error) {
        const reasons = cancellationReasons(error);
        const retryable = ['None', 'ConditionalCheckFailed', 'TransactionConflict'];
        if (!reasons?.every((reason) => retryable.includes(reason.Code ?? 'None'))) throw error;
        // A missing aggregate cell to move into: create it, then try again.
        const missingCell = reasons.findIndex(
          (reason, index) => index > 0 && reason.Code === 'ConditionalCheckFailed',
        );
        if (missingCell > 0 && to.stage) await this.#createAggregate(cell, to.provider);
      }
    }
    throw new Error(`The stage of referral ${referralId} kept changing; try the event again`);
  }

  /** The count updates of a stage move: one item when both ends are in the same cell. */
  #stageUpdates(
    cell: AggregateCell,
    from: { stage: Stage; provider: string } | undefined,
    to: StagePosition,
  ): TransactItem[] {
    const update = (provider: string, changes: { stage: Stage; by: 1 | -1 }[]): TransactItem => ({
      Update: {
        TableName: this.#tableName,
        Key: aggregateKey(cell, provider),
        ConditionExpression: `attribute_exists(${pk})`,
        UpdateExpression:
          'SET ' +
          changes
            .map(
              ({ by }, i) =>
                `#counts.#s${i} = if_not_exists(#counts.#s${i}, :zero) ${by > 0 ? '+' : '-'} :one`,
            )
            .join(', '),
        ExpressionAttributeNames: {
          '#counts': 'counts',
          ...Object.fromEntries(changes.map(({ stage }, i) => [`#s${i}`, `stage:${stage}`])),
        },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
      },
    });
    const sameStage = from && to.stage === from.stage && to.provider === from.provider;
    if (sameStage) return [];
    if (from && to.stage && from.provider === to.provider) {
      return [
        update(to.provider, [
          { stage: from.stage, by: -1 },
          { stage: to.stage, by: 1 },
        ]),
      ];
    }
    return [
      ...(from ? [update(from.provider, [{ stage: from.stage, by: -1 }])] : []),
      ...(to.stage ? [update(to.provider, [{ stage: to.stage, by: 1 }])] : []),
    ];
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
              KeyConditionExpression: `${pk} = :pk`,
              ExpressionAttributeValues: { ':pk': aggregatePartition(month) },
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
                Item: aggregateItem({
                  ...cell,
                  provider,
                  counts: {},
                  timeToFirstContact: empty(),
                  timeToEngagement: empty(),
                }),
                ConditionExpression: `attribute_not_exists(${pk})`,
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!cancellationReasons(error)) throw error;
    }
  }
}

/** Why each item of a cancelled transaction failed, in order; undefined for any other error. */
function cancellationReasons(error: unknown): { Code?: string }[] | undefined {
  if (!(error instanceof Error && error.name === 'TransactionCanceledException')) return undefined;
  return (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
}

/** The marker's attributes: DynamoDB stores no undefined, so a referral off every list has none. */
function definedStage({ stage, provider, at }: StagePosition) {
  return stage ? { stage, provider, at } : { at };
}

/**
 * The stored item of one aggregate, as `aggregatesFor` reads it back: key, cell, counts and
 * histograms. For writing aggregates directly (the benchmark's generated history).
 */
export function aggregateItem(aggregate: Aggregate): Record<string, unknown> {
  const { month, spoke, pathway, provider } = aggregate;
  return {
    ...aggregateKey({ month, spoke, pathway }, provider),
    entity: entities.aggregate,
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
