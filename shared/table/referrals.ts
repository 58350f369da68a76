import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../adapters/clients.ts';
import type { PersonalDataCipher } from '../adapters/personal-data-cipher.ts';
import type { SubjectIndexer } from '../adapters/subject-index.ts';
import type { ProviderId } from '../domain/partnership.ts';
import type { Lease, Referral } from '../domain/referral.ts';
import type {
  RecordedOverdue,
  RecordedTransition,
  TransitionChanges,
  TransitionRecord,
} from '../domain/transition.ts';
import { ConflictError } from '../errors.ts';
import {
  DeliveryInProgressError,
  DuplicateDeliveryError,
  deliveryItem,
  toDeliveryRecord,
  type DeliveryRecord,
} from './deliveries.ts';
import { isConditionalFailure, toReferral, updateOf } from './expressions.ts';
import {
  dueIndexKeys,
  entities,
  expiryAttribute,
  overdueKey,
  personalIndexAttributes,
  providerIndexKeys,
  referralItemKeys,
  referralKey,
  retainedIndexKeys,
  subjectIndexKeys,
  tableKey,
  transitionKey,
  type TableKey,
} from './layout.ts';

export interface ReferralsOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
  /** Seals personal data before it is written; only functions that write it have one. */
  cipher?: Pick<PersonalDataCipher, 'seal'>;
  /** The young person's blind index, written with a new referral. */
  subjectIndex?: SubjectIndexer;
}

const pk = tableKey.partitionKey;

/**
 * Referrals and their transitions in the one DynamoDB table, with the index keys each write
 * moves. Persists what the domain planned (domain/transition.ts), no more. Personal data is
 * never written in the clear: a new referral's `personal` and a decline's `details` are sealed
 * with the cipher first, and a store without one refuses to write them.
 */
export class Referrals {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;
  readonly #cipher: Pick<PersonalDataCipher, 'seal'> | undefined;
  readonly #subjectIndex: SubjectIndexer | undefined;

  constructor({ tableName, client, cipher, subjectIndex }: ReferralsOptions) {
    this.#tableName = tableName;
    this.#client = client ?? dynamoDocumentClient();
    this.#cipher = cipher;
    this.#subjectIndex = subjectIndex;
  }

  /**
   * Stores a new referral with one conditional write; never overwrites an existing one. A
   * referral created already routed to a provider is in that provider's index at once. With a
   * delivery, the delivery's record is written in the same transaction, so a delivery makes one
   * referral or none, however many times it is sent at once.
   */
  async create(referral: Referral, delivery?: DeliveryRecord): Promise<void> {
    const put = {
      TableName: this.#tableName,
      Item: { ...referralItemKeys(referral), ...(await this.#sealed(referral)) },
      ConditionExpression: `attribute_not_exists(${pk})`,
    };
    const exists = () => new ConflictError(`Referral ${referral.referralId} already exists.`);
    if (!delivery) {
      try {
        await this.#client.send(new PutCommand(put));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw exists();
        throw error;
      }
      return;
    }
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: put },
            {
              Put: {
                TableName: this.#tableName,
                Item: deliveryItem(delivery),
                ConditionExpression: `attribute_not_exists(${pk})`,
                // The delivery that took the key first comes back with the refusal: one read less.
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const [referralReason, deliveryReason] = error.CancellationReasons ?? [];
        if (deliveryReason?.Code === 'ConditionalCheckFailed') {
          const existing = deliveryReason.Item ? toDeliveryRecord(deliveryReason.Item) : undefined;
          throw new DuplicateDeliveryError(delivery.webhookId, { cause: error }, existing);
        }
        if (referralReason?.Code === 'ConditionalCheckFailed') throw exists();
        if (deliveryReason?.Code === 'TransactionConflict') {
          throw new DeliveryInProgressError(delivery.webhookId, { cause: error });
        }
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
   * Persists a status change the domain recorded (`recordTransition`): the fields it sets, the
   * index keys they move, and its audit record with its event, in one transaction. Returns the
   * referral as it now is, or undefined when it changed since it was read (a race lost: read
   * again and decide again).
   */
  async transition({
    before,
    after,
    changes,
    record,
  }: RecordedTransition): Promise<Referral | undefined> {
    // What is written: a decline's details sealed, never in the clear.
    const written = await this.#sealedChanges(before.referralId, changes);
    // Only the fields this change names are written, so a lease a provider takes at the same
    // moment as a routing decision lands is kept.
    const update = {
      ...written,
      status: after.status,
      updatedAt: after.updatedAt,
      ...providerIndexKeys(after),
      ...dueIndexKeys(after),
    };
    const done = await this.#writeWithRecord(
      {
        Key: referralKey(before.referralId),
        // Optimistic concurrency: the referral must be exactly as this change read it, and its
        // personal data not erased since (a decline's details would be written back).
        ConditionExpression:
          '#status = :expectedStatus AND updatedAt = :expectedUpdatedAt AND attribute_not_exists(erasedAt)',
        ...updateOf(update, {
          ':expectedStatus': before.status,
          ':expectedUpdatedAt': before.updatedAt,
        }),
      },
      transitionKey(record.referralId, record.at, record.to),
      record,
    );
    if (!done) return undefined;
    // As stored: with the sealed decline details, if the change wrote any.
    return 'declineDetailsSealed' in written
      ? { ...after, declineDetailsSealed: written.declineDetailsSealed as Uint8Array | undefined }
      : after;
  }

  /**
   * Gives a provider the lease on a referral in its queue that nobody has taken further yet.
   * Not a lifecycle change: `updatedAt` stays, so it never races a transition. Refused while
   * a lease taken on another message of the same referral runs (`at` is now): a duplicate
   * delivery never hands the same referral out twice.
   */
  async lease(
    referral: Referral,
    providerId: ProviderId,
    lease: Lease,
    at: Date,
  ): Promise<Referral | undefined> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: referralKey(referral.referralId),
          ConditionExpression:
            '#status IN (:received, :routed, :rerouted) AND (attribute_not_exists(providerId) OR providerId = :providerId)' +
            ' AND (attribute_not_exists(lease) OR lease.expiresAt <= :now' +
            ' OR attribute_not_exists(lease.messageId) OR lease.messageId = :messageId)',
          UpdateExpression: 'SET lease = :lease',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':received': 'received',
            ':routed': 'routed',
            ':rerouted': 'rerouted',
            ':providerId': providerId,
            ':lease': lease,
            ':now': at.toISOString(),
            ':messageId': lease.messageId ?? '',
          },
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error)) return undefined;
      throw error;
    }
    return { ...referral, lease };
  }

  /**
   * Persists a missed deadline the domain recorded (`recordOverdue`) once, with its audit record
   * and `referral.overdue` event, without touching `updatedAt`, so it never races a provider's
   * own change. Returns false when the deadline was already flagged.
   */
  async flagOverdue({ after, kind, record }: RecordedOverdue): Promise<boolean> {
    return this.#writeWithRecord(
      {
        Key: referralKey(after.referralId),
        ConditionExpression: `attribute_exists(${pk}) AND (attribute_not_exists(overdue) OR attribute_not_exists(overdue.#kind))`,
        ...updateOf({ overdue: after.overdue, ...dueIndexKeys(after) }, {}, { '#kind': kind }),
      },
      overdueKey(record.referralId, record.at, kind),
      record,
    );
  }

  /** Puts the referral back in or out of the sweep's index as its deadlines now stand. */
  async refreshDeadlineIndex(referral: Referral): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: referralKey(referral.referralId),
        ConditionExpression: `attribute_exists(${pk})`,
        ...updateOf(dueIndexKeys(referral), {}, {}),
      }),
    );
  }

  /**
   * Erases a referral's personal data at the end of its retention: the sealed personal data and
   * decline details, the blind index and both sparse indexes go, and with them the TTL (what is
   * left is anonymous: ids, spoke, pathway, provider, status, dates and codes), and `erasedAt`
   * is set. Not a lifecycle change: no event, no aggregate moves, `updatedAt` stays. False when
   * there was nothing to erase (already erased, gone, or not yet expired), so a re-run is safe.
   */
  async erasePersonalData(referralId: string, at: Date): Promise<boolean> {
    const erased = [
      'personal',
      'personalSealed',
      'declineDetailsSealed',
      'subjectIndex',
      expiryAttribute,
      ...personalIndexAttributes,
    ];
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: referralKey(referralId),
          ConditionExpression: `attribute_exists(${pk}) AND attribute_not_exists(erasedAt) AND ${expiryAttribute} <= :now`,
          UpdateExpression: `SET erasedAt = :at REMOVE ${erased.map((name) => `#${name}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(erased.map((name) => [`#${name}`, name])),
          ExpressionAttributeValues: {
            ':at': at.toISOString(),
            ':now': Math.floor(at.getTime() / 1000),
          },
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error)) return false;
      throw error;
    }
    return true;
  }

  /** A new referral as written: personal data sealed, with its blind and retention indexes. */
  async #sealed(referral: Referral): Promise<Record<string, unknown>> {
    const { personal, decline, ...rest } = referral;
    if (!personal) return { ...rest, ...(decline ? { decline } : {}) };
    if (!this.#cipher || !this.#subjectIndex) {
      throw new Error('This store holds no key to seal personal data with; nothing was written.');
    }
    const [personalSealed, subjectIndex] = await Promise.all([
      this.#cipher.seal('personal', referral.referralId, personal),
      this.#subjectIndex(personal.subject),
    ]);
    return {
      ...rest,
      ...(await this.#sealedChanges(referral.referralId, decline ? { decline } : {})),
      personalSealed,
      subjectIndex,
      ...subjectIndexKeys(subjectIndex, referral),
      ...(referral.expiresAt === undefined
        ? {}
        : retainedIndexKeys(referral.expiresAt, referral.referralId)),
    };
  }

  /**
   * The fields of a change as written: a decline's free-text details sealed into
   * `declineDetailsSealed`, and removed with the decline (a reroute) or a decline without any.
   */
  async #sealedChanges(
    referralId: string,
    fields: TransitionChanges,
  ): Promise<Record<string, unknown>> {
    if (!('decline' in fields)) return { ...fields };
    const { decline, ...rest } = fields;
    if (!decline?.details) {
      return {
        ...rest,
        decline: decline ? { reason: decline.reason } : undefined,
        declineDetailsSealed: undefined,
      };
    }
    if (!this.#cipher) {
      throw new Error('This store holds no key to seal personal data with; nothing was written.');
    }
    return {
      ...rest,
      decline: { reason: decline.reason },
      declineDetailsSealed: await this.#cipher.seal('decline-details', referralId, decline.details),
    };
  }

  /**
   * Updates the referral and writes its audit record (also the outbox entry of its event) in
   * one transaction. False when a condition failed: the referral changed, or it was done.
   */
  async #writeWithRecord(
    update: { Key: TableKey; ConditionExpression: string } & ReturnType<typeof updateOf>,
    key: TableKey,
    record: TransitionRecord,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: this.#tableName, ...update } },
            {
              Put: {
                TableName: this.#tableName,
                // Audit records outlive personal data: they hold none.
                Item: { ...key, entity: entities.transition, ...record },
                ConditionExpression: `attribute_not_exists(${pk})`,
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error)) return false;
      throw error;
    }
    return true;
  }
}
