import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ReferralEventDetail } from '#events/referral-lifecycle.ts';
import type { ProviderId } from '../domain/partnership.ts';
import {
  toEventDetail,
  type Lease,
  type Referral,
  type ReferralStatus,
  type RoutingDecision,
} from '../domain/referral.ts';
import { ConflictError } from '../errors.ts';
import { dynamoDocumentClient } from './clients.ts';

/** Who made a change, for the audit trail. */
export interface Actor {
  kind: 'provider' | 'referrer' | 'system';
  id: string;
}

/**
 * A transition as stored: the audit record (who, when, from, to) and the outbox entry of its
 * lifecycle event in one item, so the table's stream publishes exactly what was recorded.
 */
export interface TransitionRecord {
  referralId: string;
  from: ReferralStatus;
  to: ReferralStatus;
  at: string;
  actor: Actor;
  event: ReferralEventDetail;
}

// Key layout of the single table (DESIGN.md, Storage).
const referralKey = (referralId: string) => ({ PK: `REFERRAL#${referralId}`, SK: 'REFERRAL' });
const providerIndexKeys = (referral: Referral) => ({
  GSI1PK: `PROVIDER#${referral.providerId}`,
  GSI1SK: `${referral.status}#${referral.receivedAt}#${referral.referralId}`,
});

export interface ReferralStoreOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

/** Referrals, their transitions and indexes in the one DynamoDB table. */
export class ReferralStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor({ tableName, client }: ReferralStoreOptions) {
    this.#tableName = tableName;
    this.#client = client ?? dynamoDocumentClient();
  }

  /** Stores a new referral with one conditional write; never overwrites an existing one. */
  async create(referral: Referral): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...referralKey(referral.referralId),
            entity: 'referral',
            GSI2PK: `SPOKE#${referral.spoke}`,
            GSI2SK: `${referral.receivedAt}#${referral.referralId}`,
            ...referral,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`Referral ${referral.referralId} already exists.`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** The referral with this id, or undefined. */
  async get(referralId: string): Promise<Referral | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: referralKey(referralId),
        ConsistentRead: true,
      }),
    );
    return Item ? toReferral(Item) : undefined;
  }

  /**
   * Moves a referral from one status to the next, with its audit record and lifecycle event,
   * in one transaction. Returns false when the referral was no longer in `from` (a race lost).
   */
  async transition(
    before: Referral,
    change: {
      to: ReferralStatus;
      at: Date;
      actor: Actor;
      providerId?: ProviderId;
      routing?: RoutingDecision;
      /** Pass `{ lease: undefined }` to end a lease; leave it out to keep whatever lease there is. */
      lease?: Lease;
    },
  ): Promise<Referral | undefined> {
    const at = change.at.toISOString();
    const endsLease = 'lease' in change;
    const after: Referral = {
      ...before,
      status: change.to,
      updatedAt: at,
      providerId: change.providerId ?? before.providerId,
      routing: change.routing ?? before.routing,
      lease: endsLease ? change.lease : before.lease,
    };
    const transition: TransitionRecord = {
      referralId: before.referralId,
      from: before.status,
      to: change.to,
      at,
      actor: change.actor,
      event: toEventDetail(after),
    };
    // A lease is the provider's to hold: only touched when this change says so, so a provider
    // pulling at the same moment as the routing decision lands keeps its lease.
    const changes = {
      status: after.status,
      updatedAt: at,
      providerId: after.providerId,
      routing: after.routing,
      ...(endsLease ? { lease: after.lease } : {}),
      ...(after.providerId ? providerIndexKeys(after) : {}),
    };
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.#tableName,
                Key: referralKey(before.referralId),
                // Optimistic concurrency: the referral must be exactly as this change read it.
                ConditionExpression: '#status = :expectedStatus AND updatedAt = :expectedUpdatedAt',
                ...updateOf(changes, {
                  ':expectedStatus': before.status,
                  ':expectedUpdatedAt': before.updatedAt,
                }),
              },
            },
            {
              Put: {
                TableName: this.#tableName,
                Item: {
                  PK: `REFERRAL#${before.referralId}`,
                  SK: `TRANSITION#${at}#${change.to}`,
                  entity: 'transition',
                  ...transition,
                  // Audit records outlive personal data: they hold none.
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error)) return undefined;
      throw error;
    }
    return after;
  }

  /**
   * Gives a provider the lease on a referral in its queue that nobody has taken further yet.
   * Not a lifecycle change: `updatedAt` stays, so it never races a transition.
   */
  async lease(
    referral: Referral,
    providerId: ProviderId,
    lease: Lease,
  ): Promise<Referral | undefined> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: referralKey(referral.referralId),
          ConditionExpression:
            '#status IN (:received, :routed) AND (attribute_not_exists(providerId) OR providerId = :providerId)',
          UpdateExpression: 'SET lease = :lease',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':received': 'received',
            ':routed': 'routed',
            ':providerId': providerId,
            ':lease': lease,
          },
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error)) return undefined;
      throw error;
    }
    return { ...referral, lease };
  }
}

/** SET for defined values, REMOVE for undefined ones, with the condition's values merged in. */
function updateOf(changes: Record<string, unknown>, conditionValues: Record<string, unknown>) {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ...conditionValues };
  const set: string[] = [];
  const remove: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    names[`#${key}`] = key;
    if (value === undefined) {
      remove.push(`#${key}`);
    } else {
      values[`:${key}`] = value;
      set.push(`#${key} = :${key}`);
    }
  }
  const expression = `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`;
  return {
    UpdateExpression: expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function isConditionalFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'TransactionCanceledException')
  );
}

// Key and index attributes are the table's bookkeeping, not part of the referral.
const tableAttributes = new Set(['PK', 'SK', 'entity', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK']);

function toReferral(item: Record<string, unknown>): Referral {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => !tableAttributes.has(name)),
  ) as unknown as Referral;
}
