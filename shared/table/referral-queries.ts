import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../adapters/clients.ts';
import type { ReferralStatus } from '#events/vocabulary.ts';
import type { Referral } from '../domain/referral.ts';
import type { TransitionRecord } from '../domain/transition.ts';
import { decodeCursor, encodeCursor, toReferral } from './expressions.ts';
import {
  duePartition,
  dueUpTo,
  entities,
  indexes,
  organisationPartition,
  providerPartition,
  providerStatusPrefix,
  receivedRange,
  referralIdOf,
  referralPartition,
  retainedPartition,
  retainedUpTo,
  spokePartition,
  subjectPartition,
  tableKey,
  withoutTableAttributes,
  type IndexLayout,
} from './layout.ts';

/** A page of referrals and where the next page starts, if there is one. */
export interface ReferralPage {
  referrals: Referral[];
  cursor?: string;
}

/** Everything the table holds under one referral's key: the referral and what hangs off it. */
export interface ReferralHistory {
  referral?: Referral;
  /** Its audit records (each the outbox entry of its event), oldest first. */
  transitions: TransitionRecord[];
  /** Anything else under its key (the hub projection's markers), as stored. */
  other: Record<string, unknown>[];
}

export interface ReferralQueriesOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

/** Paging options: how many at most, and where a previous page ended. */
export interface PageOptions {
  limit?: number;
  cursor?: string;
}

/**
 * The referrals the table finds by index or by partition: a provider's, an organisation's, a
 * spoke's received in a period, those due, a young person's, those whose retention ended, and
 * one referral's whole history. Reads only.
 */
export class ReferralQueries {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor({ tableName, client }: ReferralQueriesOptions) {
    this.#tableName = tableName;
    this.#client = client ?? dynamoDocumentClient();
  }

  /** A provider's referrals, newest first within a status, a page at a time. */
  async listByProvider(
    providerId: string,
    { status, limit = 50, cursor }: PageOptions & { status?: ReferralStatus },
  ): Promise<ReferralPage> {
    const { partitionKey, sortKey } = indexes.byProvider;
    return this.#page(indexes.byProvider, {
      KeyConditionExpression: status
        ? `${partitionKey} = :pk AND begins_with(${sortKey}, :status)`
        : `${partitionKey} = :pk`,
      ExpressionAttributeValues: {
        ':pk': providerPartition(providerId),
        ...(status ? { ':status': providerStatusPrefix(status) } : {}),
      },
      limit,
      cursor,
    });
  }

  /** The referrals an organisation sent, newest first, a page at a time. */
  async listByOrganisation(
    organisationId: string,
    { limit = 50, cursor }: PageOptions,
  ): Promise<ReferralPage> {
    return this.#page(indexes.byOrganisation, {
      KeyConditionExpression: `${indexes.byOrganisation.partitionKey} = :pk`,
      ExpressionAttributeValues: { ':pk': organisationPartition(organisationId) },
      limit,
      cursor,
    });
  }

  /** A spoke's referrals received from `from` up to `to`, oldest first: what reconciliation checks. */
  async receivedBetween(
    spoke: string,
    from: Date,
    to: Date,
    { limit = 100, cursor }: PageOptions = {},
  ): Promise<ReferralPage> {
    const { partitionKey, sortKey } = indexes.bySpoke;
    const range = receivedRange(from, to);
    return this.#page(indexes.bySpoke, {
      KeyConditionExpression: `${partitionKey} = :pk AND ${sortKey} BETWEEN :from AND :to`,
      ExpressionAttributeValues: {
        ':pk': spokePartition(spoke),
        ':from': range.from,
        ':to': range.to,
      },
      limit,
      cursor,
      oldestFirst: true,
    });
  }

  /** Referrals whose next deadline is at or before `now`: what the SLA sweep checks. */
  async dueBy(now: Date, { limit = 100, cursor }: PageOptions = {}): Promise<ReferralPage> {
    const { partitionKey, sortKey } = indexes.due;
    return this.#page(indexes.due, {
      KeyConditionExpression: `${partitionKey} = :due AND ${sortKey} <= :now`,
      ExpressionAttributeValues: { ':due': duePartition, ':now': dueUpTo(now) },
      limit,
      cursor,
      oldestFirst: true,
    });
  }

  /** The ids of the referrals about the young person with this blind index, oldest first. */
  async referralIdsBySubject(subjectIndex: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: indexes.bySubject.indexName,
          KeyConditionExpression: `${indexes.bySubject.partitionKey} = :pk`,
          ExpressionAttributeValues: { ':pk': subjectPartition(subjectIndex) },
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      ids.push(...Items.map(referralIdOf));
      cursor = LastEvaluatedKey;
    } while (cursor);
    return ids;
  }

  /** Everything held under one referral's key: the referral, its transitions, the rest. */
  async history(referralId: string): Promise<ReferralHistory> {
    const history: ReferralHistory = { transitions: [], other: [] };
    let cursor: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: `${tableKey.partitionKey} = :pk`,
          ExpressionAttributeValues: { ':pk': referralPartition(referralId) },
          ConsistentRead: true,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      for (const item of Items) {
        if (item.entity === entities.referral) history.referral = toReferral(item);
        else if (item.entity === entities.transition) {
          history.transitions.push(withoutTableAttributes(item) as unknown as TransitionRecord);
        } else history.other.push(item);
      }
      cursor = LastEvaluatedKey;
    } while (cursor);
    return history;
  }

  /**
   * The ids of referrals still holding personal data whose retention ended at or before `now`,
   * oldest expiry first, a page at a time: what the retention sweep erases.
   */
  async expiredBy(
    now: Date,
    { limit = 100, cursor }: PageOptions = {},
  ): Promise<{ referralIds: string[]; cursor?: string }> {
    const { indexName, partitionKey, sortKey } = indexes.retained;
    const { Items = [], LastEvaluatedKey } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: indexName,
        KeyConditionExpression: `${partitionKey} = :retained AND ${sortKey} <= :now`,
        ExpressionAttributeValues: { ':retained': retainedPartition, ':now': retainedUpTo(now) },
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
      }),
    );
    return {
      referralIds: Items.map(referralIdOf),
      ...(LastEvaluatedKey ? { cursor: encodeCursor(LastEvaluatedKey) } : {}),
    };
  }

  async #page(
    index: IndexLayout,
    query: {
      KeyConditionExpression: string;
      ExpressionAttributeValues: Record<string, unknown>;
      limit: number;
      cursor: string | undefined;
      oldestFirst?: boolean;
    },
  ): Promise<ReferralPage> {
    const { Items = [], LastEvaluatedKey } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: index.indexName,
        KeyConditionExpression: query.KeyConditionExpression,
        ExpressionAttributeValues: query.ExpressionAttributeValues,
        Limit: query.limit,
        ScanIndexForward: query.oldestFirst ?? false,
        ...(query.cursor ? { ExclusiveStartKey: decodeCursor(query.cursor) } : {}),
      }),
    );
    return {
      referrals: Items.map(toReferral),
      ...(LastEvaluatedKey ? { cursor: encodeCursor(LastEvaluatedKey) } : {}),
    };
  }
}
