/**
 * The layout of the one DynamoDB table (DESIGN.md, Storage): its key attributes, what each kind
 * of item is keyed by, and its global secondary indexes, named by what they are for. The only
 * module that spells a key: the adapters beside it, the stack and the tests import it.
 * Pure: no AWS SDK, no I/O.
 */
import type { DeadlineKind, ReferralStatus } from '#events/vocabulary.ts';
import { nextDeadline, type Referral } from '../domain/referral.ts';

/** The table's own key: a partition key and a sort key, both strings. */
export const tableKey = { partitionKey: 'PK', sortKey: 'SK' } as const;

/** The attribute DynamoDB's TTL reads: when a referral's personal data must be gone. */
export const expiryAttribute = 'expiresAt';

/** The attribute naming what kind of item an item is. */
export const entityAttribute = 'entity';

/** Every kind of item the table holds, by the value of its `entity` attribute. */
export const entities = {
  referral: 'referral',
  /** A referral's change: its audit record and the outbox entry of its event, in one item. */
  transition: 'transition',
  delivery: 'webhook-delivery',
  capacity: 'capacity',
  auditRead: 'audit-read',
  aggregate: 'aggregate',
  countedFact: 'counted-fact',
  hubStage: 'hub-stage',
  reconciliation: 'reconciliation',
} as const;
export type Entity = (typeof entities)[keyof typeof entities];

/** The items the table's stream publishes (the outbox): new referrals and new transitions. */
export const outboxEntities = [entities.referral, entities.transition] as const;

/**
 * The stream filter of the publish function's event source mapping, an EventBridge-style
 * pattern over the stream record (its image marshalled): only inserted outbox items reach it.
 */
export const outboxStreamPattern = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { [entityAttribute]: { S: [...outboxEntities] } } },
};

/** A global secondary index: its name in the table and the attributes of its key. */
export interface IndexLayout {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Whether the index copies only the keys (the caller reads the item by its key after). */
  readonly keysOnly: boolean;
}

const index = (indexName: string, keysOnly = false): IndexLayout => ({
  indexName,
  partitionKey: `${indexName}PK`,
  sortKey: `${indexName}SK`,
  keysOnly,
});

/**
 * The table's indexes by purpose. Their names in the table stay those they were deployed with
 * (renaming one in CloudFormation replaces it). The sparse ones hold only some referrals.
 */
export const indexes = {
  /** A provider's referrals by status, then when received. */
  byProvider: index('GSI1'),
  /** A spoke's referrals by when received: what reconciliation checks. */
  bySpoke: index('GSI2'),
  /** A referring organisation's referrals by when received. */
  byOrganisation: index('GSI3'),
  /** Sparse: referrals by their next deadline still to meet, for the SLA sweep. */
  due: index('GSI4'),
  /** Sparse, keys only: a young person's referrals by blind index, while their data is held. */
  bySubject: index('GSI5', true),
  /** Sparse, keys only: referrals holding personal data by when it must be gone. */
  retained: index('GSI6', true),
} as const satisfies Record<string, IndexLayout>;
export type IndexPurpose = keyof typeof indexes;

/** Every key attribute of the table and its indexes: bookkeeping, never part of an entity. */
export const keyAttributeNames: readonly string[] = [
  tableKey.partitionKey,
  tableKey.sortKey,
  ...Object.values(indexes).flatMap(({ partitionKey, sortKey }) => [partitionKey, sortKey]),
];
const bookkeeping = new Set([...keyAttributeNames, entityAttribute]);

/** An item without its key attributes and entity name: the entity as it was written. */
export function withoutTableAttributes(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !bookkeeping.has(name)));
}

/** A key of the table. */
export interface TableKey {
  PK: string;
  SK: string;
}

// Sort keys under a referral's partition.
const referralSortKey = 'REFERRAL';
const transitionPrefix = 'TRANSITION#';
// A sort key that sorts after every `<ISO time>#<id>` with the same time: bounds a range.
const afterAnyId = '#~';

/** The partition of everything that hangs off one referral. */
export const referralPartition = (referralId: string) => `REFERRAL#${referralId}`;

/** The key of a referral's own item. */
export const referralKey = (referralId: string): TableKey => ({
  PK: referralPartition(referralId),
  SK: referralSortKey,
});

/** The referral id a referral's partition key names (items read back from an index). */
export function referralIdOf(item: Record<string, unknown>): string {
  return String(item[tableKey.partitionKey]).replace(/^REFERRAL#/, '');
}

/** The prefix of every transition's sort key under its referral's partition. */
export const transitionSortKeyPrefix = transitionPrefix;

/** The key of a transition to `to` made at `at` (ISO time). */
export const transitionKey = (referralId: string, at: string, to: ReferralStatus): TableKey => ({
  PK: referralPartition(referralId),
  SK: `${transitionPrefix}${at}#${to}`,
});

/** The key of the record of a missed deadline, flagged at `at`. */
export const overdueKey = (referralId: string, at: string, kind: DeadlineKind): TableKey => ({
  PK: referralPartition(referralId),
  SK: `${transitionPrefix}${at}#overdue-${kind}`,
});

/** The marker that one fact of a referral was counted in the hub's aggregates. */
export const countedFactKey = (referralId: string, fact: string): TableKey => ({
  PK: referralPartition(referralId),
  SK: `COUNTED#${fact}`,
});

/** The marker of where a referral stands in the hub's waiting lists. */
export const hubStageKey = (referralId: string): TableKey => ({
  PK: referralPartition(referralId),
  SK: 'STAGE',
});

/**
 * Where a delivery came in: a signed webhook (keyed by its `webhook-id`) or `POST /v1/referrals`
 * with an `Idempotency-Key` (keyed by that).
 */
export type DeliveryChannel = 'webhook' | 'api';

/**
 * The key of a delivery's record. A sender's webhook id or idempotency key is printable ASCII;
 * the organisation id, a slug, cannot hold '#'. Each channel has its own keys: the same string
 * on both is two deliveries.
 */
export const deliveryKey = (
  organisationId: string,
  webhookId: string,
  channel: DeliveryChannel = 'webhook',
): TableKey => ({
  PK: `${channel === 'api' ? 'IDEMPOTENCY' : 'WEBHOOK'}#${organisationId}#${webhookId}`,
  SK: 'DELIVERY',
});

/** The key of what a provider last said about its capacity. */
export const capacityKey = (providerId: string): TableKey => ({
  PK: `PROVIDER#${providerId}`,
  SK: 'CAPACITY',
});

/**
 * The partition of the records of reads of a referral's personal data: their own, so they
 * outlive the referral's items.
 */
export const auditReadPartition = (referralId: string) => `AUDIT#${referralId}`;

/** The key of one record of a read, made at `at` (ISO time); `id` tells apart reads at once. */
export const auditReadKey = (referralId: string, at: string, id: string): TableKey => ({
  PK: auditReadPartition(referralId),
  SK: `${at}#${id}`,
});

/** The partition of the hub's aggregates of one month (`YYYY-MM`). */
export const aggregatePartition = (month: string) => `AGGREGATE#${month}`;

/** The key of the aggregate of one (month, spoke, pathway, provider) cell. */
export const aggregateKey = (
  cell: { month: string; spoke: string; pathway: string },
  provider: string,
): TableKey => ({
  PK: aggregatePartition(cell.month),
  SK: `${cell.spoke}#${cell.pathway}#${provider}`,
});

/** The key of the latest reconciliation check's counts. */
export const reconciliationKey: TableKey = { PK: 'RECONCILIATION', SK: 'LATEST' };

// Index keys, written on a referral's item.

const byProvider = indexes.byProvider;
const bySpoke = indexes.bySpoke;
const byOrganisation = indexes.byOrganisation;
const due = indexes.due;
const bySubject = indexes.bySubject;
const retained = indexes.retained;

/** The partition of a provider's referrals in the by-provider index. */
export const providerPartition = (providerId: string) => `PROVIDER#${providerId}`;

/** The sort-key prefix of a provider's referrals in one status. */
export const providerStatusPrefix = (status: ReferralStatus) => `${status}#`;

/** The by-provider index's keys of a referral routed to a provider; none before it is. */
export function providerIndexKeys(referral: Referral): Record<string, string> {
  if (referral.providerId === undefined) return {};
  return {
    [byProvider.partitionKey]: providerPartition(referral.providerId),
    [byProvider.sortKey]: `${referral.status}#${referral.receivedAt}#${referral.referralId}`,
  };
}

/** The partition of a spoke's referrals in the by-spoke index. */
export const spokePartition = (spoke: string) => `SPOKE#${spoke}`;

/** The by-spoke index's keys of a referral. */
export const spokeIndexKeys = (referral: Referral) => ({
  [bySpoke.partitionKey]: spokePartition(referral.spoke),
  [bySpoke.sortKey]: `${referral.receivedAt}#${referral.referralId}`,
});

/** The by-spoke sort keys of referrals received from `from` up to and including `to`. */
export const receivedRange = (from: Date, to: Date) => ({
  from: from.toISOString(),
  to: `${to.toISOString()}${afterAnyId}`,
});

/** The partition of an organisation's referrals in the by-organisation index. */
export const organisationPartition = (organisationId: string) => `ORGANISATION#${organisationId}`;

/** The by-organisation index's keys of a referral. */
export const organisationIndexKeys = (referral: Referral) => ({
  [byOrganisation.partitionKey]: organisationPartition(referral.referrerOrganisationId),
  [byOrganisation.sortKey]: `${referral.receivedAt}#${referral.referralId}`,
});

/** The one partition of the due index. */
export const duePartition = 'DUE';

/** The due index's sort key bounding deadlines at or before `now`. */
export const dueUpTo = (now: Date) => `${now.toISOString()}${afterAnyId}`;

/**
 * The due index's keys as the referral's deadlines now stand; both undefined (to be removed)
 * once it has no deadline still to meet.
 */
export function dueIndexKeys(referral: Referral): Record<string, string | undefined> {
  const next = nextDeadline(referral);
  return {
    [due.partitionKey]: next ? duePartition : undefined,
    [due.sortKey]: next ? `${next}#${referral.referralId}` : undefined,
  };
}

/** The partition of a young person's referrals in the by-subject index. */
export const subjectPartition = (subjectIndex: string) => `SUBJECT#${subjectIndex}`;

/** The by-subject index's keys of a referral about the young person with this blind index. */
export const subjectIndexKeys = (subjectIndex: string, referral: Referral) => ({
  [bySubject.partitionKey]: subjectPartition(subjectIndex),
  [bySubject.sortKey]: `${referral.receivedAt}#${referral.referralId}`,
});

/** The one partition of the retained index. */
export const retainedPartition = 'RETAINED';

/** The retained index's sort key bounding retention that ended at or before `now`. */
export const retainedUpTo = (now: Date) => `${now.toISOString()}${afterAnyId}`;

/** The retained index's keys of a referral whose personal data must be gone at `expiresAt`. */
export const retainedIndexKeys = (expiresAt: number, referralId: string) => ({
  [retained.partitionKey]: retainedPartition,
  [retained.sortKey]: `${new Date(expiresAt * 1000).toISOString()}#${referralId}`,
});

/**
 * A referral item's key, entity and the index keys its own fields decide (by spoke, by
 * organisation, due, and by provider once it has one). The by-subject and retained keys come
 * with its sealed personal data.
 */
export function referralItemKeys(referral: Referral): Record<string, string> {
  const dueKeys = Object.entries(dueIndexKeys(referral)).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return {
    ...referralKey(referral.referralId),
    [entityAttribute]: entities.referral,
    ...spokeIndexKeys(referral),
    ...organisationIndexKeys(referral),
    ...Object.fromEntries(dueKeys),
    ...providerIndexKeys(referral),
  };
}

/** The attributes erasing personal data removes from a referral: its sparse subject indexes. */
export const personalIndexAttributes: readonly string[] = [
  bySubject.partitionKey,
  bySubject.sortKey,
  retained.partitionKey,
  retained.sortKey,
];
