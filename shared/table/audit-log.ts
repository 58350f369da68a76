import { randomUUID } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  changeEntry,
  readEntry,
  arrivalEntries,
  type ArrivalFacts,
  type AuditEntry,
  type KeyedEntry,
  type ReadRecord,
  type TransitionFacts,
} from '../domain/audit.ts';
import { AuditUnavailableError } from '../errors.ts';
import { dynamoDocumentClient } from '../adapters/clients.ts';
import {
  auditReadKey,
  auditReadPartition,
  entities,
  referralKey,
  referralPartition,
  tableKey,
  transitionSortKeyPrefix,
} from './layout.ts';

const { partitionKey: pk, sortKey: sk } = tableKey;

/** DynamoDB's limit on the items of one transaction. */
export const maxReadsPerWrite = 100;

/** The next entries of one stream of a trail, and whether the stream has more after them. */
export interface TrailStreamPage {
  items: KeyedEntry[];
  more: boolean;
}

export interface AuditLogOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

/**
 * The audit log in the one table: records of reads of personal data (`AUDIT#<referralId>`,
 * sort key `<at>#<uuid>`), and, read back beside them, the referral's transitions.
 */
export class AuditLog {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor({ tableName, client }: AuditLogOptions) {
    this.#tableName = tableName;
    this.#client = client ?? dynamoDocumentClient();
  }

  /**
   * Records the reads of one request, all or none: one put, or one transaction for a page of a
   * list (at most 100, DynamoDB's limit), so a refused read leaves no record of reads that did
   * not happen and a shown page always has every record. Any failure is an
   * {@link AuditUnavailableError}.
   */
  async record(reads: readonly ReadRecord[]): Promise<void> {
    if (reads.length === 0) return;
    if (reads.length > maxReadsPerWrite) {
      throw new RangeError(`At most ${maxReadsPerWrite} reads are recorded at once`);
    }
    const puts = reads.map((read) => ({
      TableName: this.#tableName,
      Item: {
        ...auditReadKey(read.referralId, read.at, randomUUID()),
        entity: entities.auditRead,
        ...read,
      },
      // A new record never replaces another.
      ConditionExpression: `attribute_not_exists(${pk})`,
    }));
    try {
      const [only] = puts;
      if (only && puts.length === 1) {
        await this.#client.send(new PutCommand(only));
      } else {
        await this.#client.send(
          new TransactWriteCommand({ TransactItems: puts.map((put) => ({ Put: put })) }),
        );
      }
    } catch (error) {
      throw new AuditUnavailableError({ cause: error });
    }
  }

  /**
   * The referral's arrival (received, and routed in the same write), from its item: identifiers
   * and codes only, its personal attributes never read here. None when it is not, or no longer, held.
   */
  async arrival(referralId: string): Promise<AuditEntry[]> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: referralKey(referralId),
        ProjectionExpression: '#referralId, #receivedAt, #organisation, #routing',
        ExpressionAttributeNames: {
          '#referralId': 'referralId',
          '#receivedAt': 'receivedAt',
          '#organisation': 'referrerOrganisationId',
          '#routing': 'routing',
        },
        ConsistentRead: true,
      }),
    );
    return Item ? arrivalEntries(Item as ArrivalFacts) : [];
  }

  /** The referral's transitions after `after` (a sort key), oldest first; audit fields only. */
  async changes(
    referralId: string,
    { after, limit }: { after?: string; limit: number },
  ): Promise<TrailStreamPage> {
    const names = ['referralId', 'at', 'from', 'to', 'actor', 'why', 'eventType'];
    const { Items = [], LastEvaluatedKey } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: `${pk} = :pk AND begins_with(${sk}, :prefix)`,
        ExpressionAttributeValues: {
          ':pk': referralPartition(referralId),
          ':prefix': transitionSortKeyPrefix,
        },
        // The transition's event is left behind: the trail needs only who, when, what and why.
        ProjectionExpression: [sk, ...names.map((name) => `#${name}`)].join(', '),
        ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
        Limit: limit,
        ConsistentRead: true,
        ...(after
          ? { ExclusiveStartKey: { [pk]: referralPartition(referralId), [sk]: after } }
          : {}),
      }),
    );
    return {
      items: Items.map((item) => ({
        key: String(item[sk]),
        entry: changeEntry(item as unknown as TransitionFacts),
      })),
      more: LastEvaluatedKey !== undefined,
    };
  }

  /** The records of reads of the referral after `after` (a sort key), oldest first. */
  async reads(
    referralId: string,
    { after, limit }: { after?: string; limit: number },
  ): Promise<TrailStreamPage> {
    const { Items = [], LastEvaluatedKey } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: `${pk} = :pk`,
        ExpressionAttributeValues: { ':pk': auditReadPartition(referralId) },
        Limit: limit,
        ConsistentRead: true,
        ...(after
          ? { ExclusiveStartKey: { [pk]: auditReadPartition(referralId), [sk]: after } }
          : {}),
      }),
    );
    return {
      items: Items.map((item) => ({
        key: String(item[sk]),
        entry: readEntry(item as unknown as ReadRecord),
      })),
      more: LastEvaluatedKey !== undefined,
    };
  }
}
