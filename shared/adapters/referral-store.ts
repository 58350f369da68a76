import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ReferralEventDetail } from '#events/referral-lifecycle.ts';
import type { ProviderId } from '../domain/partnership.ts';
import {
  nextDeadline,
  toEventDetail,
  type Lease,
  type Referral,
  type ReferralChanges,
  type RoutingDecision,
} from '../domain/referral.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { dynamoDocumentClient } from './clients.ts';
import type { PersonalDataCipher } from './personal-data-cipher.ts';
import type { SubjectIndexer } from './subject-index.ts';
import type { DeadlineKind, ReferralStatus } from '#events/vocabulary.ts';

/** Who made a change, for the audit trail. */
export interface Actor {
  kind: 'provider' | 'referrer' | 'system';
  id: string;
  /** The person who acted: their token's `sub`, an opaque id (never a name). */
  subject?: string;
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
  why?: string;
  event: ReferralEventDetail;
}

// Key layout of the single table (DESIGN.md, Storage).
const referralKey = (referralId: string) => ({ PK: `REFERRAL#${referralId}`, SK: 'REFERRAL' });
const providerIndexKeys = (referral: Referral) => ({
  GSI1PK: `PROVIDER#${referral.providerId}`,
  GSI1SK: `${referral.status}#${referral.receivedAt}#${referral.referralId}`,
});
// Sparse: only referrals with a deadline still to meet are in the sweep's index.
const deadlineIndexKeys = (referral: Referral) => {
  const due = nextDeadline(referral);
  return due
    ? { GSI4PK: 'DUE', GSI4SK: `${due}#${referral.referralId}` }
    : { GSI4PK: undefined, GSI4SK: undefined };
};
// Sparse, keys only: a young person's referrals by blind index, while their data is held.
const subjectIndexKeys = (subjectIndex: string, referral: Referral) => ({
  GSI5PK: `SUBJECT#${subjectIndex}`,
  GSI5SK: `${referral.receivedAt}#${referral.referralId}`,
});
// Sparse, keys only: referrals holding personal data, by when it must be gone (the sweep's).
const retentionIndexKeys = (expiresAt: number, referralId: string) => ({
  GSI6PK: 'RETAINED',
  GSI6SK: `${new Date(expiresAt * 1000).toISOString()}#${referralId}`,
});
const referralIdOf = (item: Record<string, unknown>) => String(item.PK).replace(/^REFERRAL#/, '');
// A sender's webhook id or idempotency key is printable ASCII; the organisation id, a slug,
// cannot hold '#'. Each channel has its own keys: the same string on both is two deliveries.
const deliveryKey = (
  organisationId: string,
  webhookId: string,
  channel: DeliveryChannel = 'webhook',
) => ({
  PK: `${channel === 'api' ? 'IDEMPOTENCY' : 'WEBHOOK'}#${organisationId}#${webhookId}`,
  SK: 'DELIVERY',
});
const capacityKey = (providerId: string) => ({ PK: `PROVIDER#${providerId}`, SK: 'CAPACITY' });

/**
 * Where a delivery came in: a signed webhook (keyed by its `webhook-id`) or `POST /v1/referrals`
 * with an `Idempotency-Key` (keyed by that).
 */
export type DeliveryChannel = 'webhook' | 'api';

/**
 * A delivery taken: which body it carried (its SHA-256) and what was answered, kept until
 * `expiresAt` (seconds, the table's TTL) so a retry gets the same answer. No personal data.
 * `webhookId` is the sender's key for it: the webhook id, or the API call's idempotency key.
 */
export interface DeliveryRecord {
  organisationId: string;
  webhookId: string;
  bodySha256: string;
  receipt: Record<string, unknown>;
  expiresAt: number;
  /** @default 'webhook' */
  channel?: DeliveryChannel;
}

/**
 * The delivery's key was taken by a delivery written first. `existing` is that delivery's
 * record, as the failed conditional write returned it, when it did.
 */
export class DuplicateDeliveryError extends ConflictError {
  constructor(
    webhookId: string,
    options?: ErrorOptions,
    readonly existing?: DeliveryRecord,
  ) {
    super(`Webhook delivery ${webhookId} has already been taken.`, options);
    this.name = 'DuplicateDeliveryError';
  }
}

/**
 * Another request was writing the same delivery's record at this very moment (DynamoDB refused
 * one of two transactions on it): read it again, and it will be there, or try again.
 */
export class DeliveryInProgressError extends ConflictError {
  constructor(webhookId: string, options?: ErrorOptions) {
    super(`Webhook delivery ${webhookId} is being taken by another request; try again.`, options);
    this.name = 'DeliveryInProgressError';
  }
}

/** A provider's capacity as it last said it. */
export interface ProviderCapacity {
  providerId: string;
  status: 'open' | 'waitlist' | 'closed';
  /** With a waitlist: roughly how long until a new referral is picked up. */
  expectedWaitDays?: number;
  updatedAt: string;
}

/** A page of referrals and where the next page starts, if there is one. */
export interface ReferralPage {
  referrals: Referral[];
  cursor?: string;
}

export interface ReferralStoreOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
  /** Seals personal data before it is written; only functions that write it have one. */
  cipher?: Pick<PersonalDataCipher, 'seal'>;
  /** The young person's blind index, written with a new referral. */
  subjectIndex?: SubjectIndexer;
}

/** Everything the table holds under one referral's key: the referral and what hangs off it. */
export interface ReferralHistory {
  referral?: Referral;
  /** Its audit records (each the outbox entry of its event), oldest first. */
  transitions: (TransitionRecord & { eventType?: string })[];
  /** Anything else under its key (the hub projection's markers), as stored. */
  other: Record<string, unknown>[];
}

/**
 * Referrals, their transitions and indexes in the one DynamoDB table. Personal data is never
 * written in the clear: a new referral's `personal` and a decline's `details` are sealed with the
 * cipher first, and a store without one refuses to write them.
 */
export class ReferralStore {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;
  readonly #cipher: Pick<PersonalDataCipher, 'seal'> | undefined;
  readonly #subjectIndex: SubjectIndexer | undefined;

  constructor({ tableName, client, cipher, subjectIndex }: ReferralStoreOptions) {
    this.#tableName = tableName;
    this.#client = client ?? dynamoDocumentClient();
    this.#cipher = cipher;
    this.#subjectIndex = subjectIndex;
  }

  /**
   * Stores a new referral with one conditional write; never overwrites an existing one. With a
   * webhook delivery, the delivery's record is written in the same transaction, so a delivery
   * makes one referral or none, however many times it is sent at once.
   */
  async create(referral: Referral, delivery?: DeliveryRecord): Promise<void> {
    const put = {
      TableName: this.#tableName,
      Item: {
        ...referralKey(referral.referralId),
        entity: 'referral',
        GSI2PK: `SPOKE#${referral.spoke}`,
        GSI2SK: `${referral.receivedAt}#${referral.referralId}`,
        GSI3PK: `ORGANISATION#${referral.referrerOrganisationId}`,
        GSI3SK: `${referral.receivedAt}#${referral.referralId}`,
        // Routed at intake: in its provider's list from the first write.
        ...(referral.providerId ? providerIndexKeys(referral) : {}),
        ...definedOnly(deadlineIndexKeys(referral)),
        ...(await this.#sealed(referral)),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
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
                Item: {
                  ...deliveryKey(delivery.organisationId, delivery.webhookId, delivery.channel),
                  entity: 'webhook-delivery',
                  ...delivery,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
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

  /** The record of a delivery already taken on this channel, or undefined. */
  async delivery(
    organisationId: string,
    webhookId: string,
    channel?: DeliveryChannel,
  ): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: deliveryKey(organisationId, webhookId, channel),
        ConsistentRead: true,
      }),
    );
    return Item ? toDeliveryRecord(Item) : undefined;
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
   * Moves a referral to its next status with the fields the change sets, its audit record and
   * lifecycle event, in one transaction. Returns undefined when the referral changed since it
   * was read (a race lost: read again and decide again).
   */
  async transition(
    before: Referral,
    change: {
      to: ReferralStatus;
      at: Date;
      actor: Actor;
      /** Coded reason for the audit trail; never free text. */
      why?: string;
      /** Fields to set; a key present with `undefined` removes the field (e.g. ends a lease). */
      changes?: ReferralChanges & { routing?: RoutingDecision };
    },
  ): Promise<Referral | undefined> {
    const at = change.at.toISOString();
    const fields = change.changes ?? {};
    // What is written: a decline's details sealed, never in the clear.
    const written = await this.#sealedChanges(before.referralId, fields);
    const after: Referral = {
      ...before,
      ...written,
      ...fields,
      status: change.to,
      updatedAt: at,
    };
    const transition: TransitionRecord = {
      referralId: before.referralId,
      from: before.status,
      to: change.to,
      at,
      actor: change.actor,
      ...(change.why ? { why: change.why } : {}),
      event: toEventDetail(after),
    };
    // Only the fields this change names are written, so a lease a provider takes at the same
    // moment as a routing decision lands is kept.
    const changes = {
      ...written,
      status: after.status,
      updatedAt: at,
      ...(after.providerId ? providerIndexKeys(after) : {}),
      ...deadlineIndexKeys(after),
    };
    const done = await this.#writeWithRecord(
      {
        Key: referralKey(before.referralId),
        // Optimistic concurrency: the referral must be exactly as this change read it, and its
        // personal data not erased since (a decline's details would be written back).
        ConditionExpression:
          '#status = :expectedStatus AND updatedAt = :expectedUpdatedAt AND attribute_not_exists(erasedAt)',
        ...updateOf(changes, {
          ':expectedStatus': before.status,
          ':expectedUpdatedAt': before.updatedAt,
        }),
      },
      { SK: `TRANSITION#${at}#${change.to}`, ...transition },
    );
    if (!done) return undefined;
    return after;
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

  /** A provider's referrals, newest first within a status, a page at a time. */
  async listByProvider(
    providerId: string,
    { status, limit = 50, cursor }: { status?: ReferralStatus; limit?: number; cursor?: string },
  ): Promise<ReferralPage> {
    return this.#page({
      IndexName: 'GSI1',
      KeyConditionExpression: status
        ? 'GSI1PK = :pk AND begins_with(GSI1SK, :status)'
        : 'GSI1PK = :pk',
      ExpressionAttributeValues: {
        ':pk': `PROVIDER#${providerId}`,
        ...(status ? { ':status': `${status}#` } : {}),
      },
      limit,
      cursor,
    });
  }

  /** The referrals an organisation sent, newest first, a page at a time. */
  async listByOrganisation(
    organisationId: string,
    { limit = 50, cursor }: { limit?: number; cursor?: string },
  ): Promise<ReferralPage> {
    return this.#page({
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': `ORGANISATION#${organisationId}` },
      limit,
      cursor,
    });
  }

  /** A spoke's referrals received from `from` up to `to`, oldest first: what reconciliation checks. */
  async receivedBetween(
    spoke: string,
    from: Date,
    to: Date,
    { limit = 100, cursor }: { limit?: number; cursor?: string } = {},
  ): Promise<ReferralPage> {
    return this.#page({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': `SPOKE#${spoke}`,
        ':from': from.toISOString(),
        ':to': `${to.toISOString()}#~`,
      },
      limit,
      cursor,
      oldestFirst: true,
    });
  }

  /** Referrals whose next deadline is at or before `now`: what the SLA sweep checks. */
  async dueBy(now: Date, { limit = 100, cursor }: { limit?: number; cursor?: string } = {}) {
    return this.#page({
      IndexName: 'GSI4',
      KeyConditionExpression: 'GSI4PK = :due AND GSI4SK <= :now',
      ExpressionAttributeValues: { ':due': 'DUE', ':now': `${now.toISOString()}#~` },
      limit,
      cursor,
      oldestFirst: true,
    });
  }

  /**
   * Flags a missed deadline once, with an audit record and a `referral.overdue` event, without
   * touching `updatedAt`, so it never races a provider's own change. Returns false when the
   * deadline was already flagged.
   */
  async flagOverdue(referral: Referral, kind: DeadlineKind, at: Date): Promise<boolean> {
    const when = at.toISOString();
    const after: Referral = { ...referral, overdue: { ...referral.overdue, [kind]: when } };
    const record: TransitionRecord = {
      referralId: referral.referralId,
      from: referral.status,
      to: referral.status,
      at: when,
      actor: { kind: 'system', id: 'sla-sweep' },
      why: `overdue: ${kind}`,
      event: { ...toEventDetail(after), occurredAt: when, overdue: kind },
    };
    return this.#writeWithRecord(
      {
        Key: referralKey(referral.referralId),
        ConditionExpression:
          'attribute_exists(PK) AND (attribute_not_exists(overdue) OR attribute_not_exists(overdue.#kind))',
        ...updateOf({ overdue: after.overdue, ...deadlineIndexKeys(after) }, {}, { '#kind': kind }),
      },
      { SK: `TRANSITION#${when}#overdue-${kind}`, eventType: 'referral.overdue', ...record },
    );
  }

  /** Puts the referral back in or out of the sweep's index as its deadlines now stand. */
  async refreshDeadlineIndex(referral: Referral): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: referralKey(referral.referralId),
        ConditionExpression: 'attribute_exists(PK)',
        ...updateOf(deadlineIndexKeys(referral), {}, {}),
      }),
    );
  }

  /** The ids of the referrals about the young person with this blind index, oldest first. */
  async referralIdsBySubject(subjectIndex: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: 'GSI5',
          KeyConditionExpression: 'GSI5PK = :pk',
          ExpressionAttributeValues: { ':pk': `SUBJECT#${subjectIndex}` },
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
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': referralKey(referralId).PK },
          ConsistentRead: true,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      for (const item of Items) {
        if (item.entity === 'referral') history.referral = toReferral(item);
        else if (item.entity === 'transition') {
          const { PK: _pk, SK: _sk, entity: _entity, ...record } = item;
          history.transitions.push(record as ReferralHistory['transitions'][number]);
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
    { limit = 100, cursor }: { limit?: number; cursor?: string } = {},
  ): Promise<{ referralIds: string[]; cursor?: string }> {
    const { Items = [], LastEvaluatedKey } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: 'GSI6',
        KeyConditionExpression: 'GSI6PK = :retained AND GSI6SK <= :now',
        ExpressionAttributeValues: { ':retained': 'RETAINED', ':now': `${now.toISOString()}#~` },
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
      }),
    );
    return {
      referralIds: Items.map(referralIdOf),
      ...(LastEvaluatedKey ? { cursor: encodeCursor(LastEvaluatedKey) } : {}),
    };
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
      'expiresAt',
      'GSI5PK',
      'GSI5SK',
      'GSI6PK',
      'GSI6SK',
    ];
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: referralKey(referralId),
          ConditionExpression:
            'attribute_exists(PK) AND attribute_not_exists(erasedAt) AND expiresAt <= :now',
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

  /** What a provider last said about its capacity, if anything. */
  async getCapacity(providerId: string): Promise<ProviderCapacity | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: capacityKey(providerId) }),
    );
    return Item
      ? (Object.fromEntries(
          Object.entries(Item).filter(([name]) => !tableAttributes.has(name)),
        ) as unknown as ProviderCapacity)
      : undefined;
  }

  /** Records a provider's capacity (the latest word wins). */
  async putCapacity(capacity: ProviderCapacity): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...capacityKey(capacity.providerId), entity: 'capacity', ...capacity },
      }),
    );
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
        : retentionIndexKeys(referral.expiresAt, referral.referralId)),
    };
  }

  /**
   * The fields of a change as written: a decline's free-text details sealed into
   * `declineDetailsSealed`, and removed with the decline (a reroute) or a decline without any.
   */
  async #sealedChanges(
    referralId: string,
    fields: ReferralChanges & { routing?: RoutingDecision },
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
    update: { Key: Record<string, string>; ConditionExpression: string } & ReturnType<
      typeof updateOf
    >,
    record: { SK: string; referralId: string } & Record<string, unknown>,
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
                Item: { PK: `REFERRAL#${record.referralId}`, entity: 'transition', ...record },
                ConditionExpression: 'attribute_not_exists(PK)',
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

  async #page(query: {
    IndexName: string;
    KeyConditionExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
    limit: number;
    cursor: string | undefined;
    oldestFirst?: boolean;
  }): Promise<ReferralPage> {
    const { Items = [], LastEvaluatedKey } = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: query.IndexName,
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

/** SET for defined values, REMOVE for undefined ones, with the condition's values merged in. */
function updateOf(
  changes: Record<string, unknown>,
  conditionValues: Record<string, unknown>,
  conditionNames: Record<string, string> = { '#status': 'status' },
) {
  const names: Record<string, string> = { ...conditionNames };
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
  const expression = [
    ...(set.length ? [`SET ${set.join(', ')}`] : []),
    ...(remove.length ? [`REMOVE ${remove.join(', ')}`] : []),
  ].join(' ');
  return {
    UpdateExpression: expression,
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

function definedOnly(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

// Page cursors are opaque to callers: the last key, base64url-encoded.
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  const invalid = (cause?: unknown) =>
    new ValidationError(
      'The page cursor is not valid.',
      [{ pointer: '/cursor', detail: 'must be a cursor from a previous page' }],
      { cause },
    );
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(error);
  }
  // A key is an object of string attributes (PK, SK and the index's own).
  const isKey =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.values(key).every((value) => typeof value === 'string');
  if (!isKey) throw invalid();
  return key as Record<string, unknown>;
}

/** A delivery record from its item, as read or as a failed write returned it (marshalled). */
function toDeliveryRecord(item: Record<string, unknown>): DeliveryRecord {
  const plain = isMarshalled(item)
    ? unmarshall(item as Record<string, AttributeValue>)
    : (item as Record<string, unknown>);
  const { organisationId, webhookId, bodySha256, receipt, expiresAt, channel } = plain;
  return {
    organisationId,
    webhookId,
    bodySha256,
    receipt,
    expiresAt,
    ...(channel ? { channel } : {}),
  } as DeliveryRecord;
}

function isMarshalled(item: Record<string, unknown>): boolean {
  const pk = item.PK;
  return typeof pk === 'object' && pk !== null && 'S' in pk;
}

function isConditionalFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'TransactionCanceledException')
  );
}

// Key and index attributes are the table's bookkeeping, not part of the referral.
const tableAttributes = new Set([
  'PK',
  'SK',
  'entity',
  ...['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5', 'GSI6'].flatMap((index) => [
    `${index}PK`,
    `${index}SK`,
  ]),
]);

function toReferral(item: Record<string, unknown>): Referral {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => !tableAttributes.has(name)),
  ) as unknown as Referral;
}
