/**
 * The audit trail of a referral (DESIGN.md, Lifecycle; SECURITY.md, Audit): every read of its
 * personal data and every change of its state, each saying who (role, tenant and the person's
 * token subject), when, what, why (a purpose code) and, for reads, the API request that did it.
 * Audit records outlive the referral's personal data, so they hold none: ids, roles, codes.
 * Pure: no AWS, no clock, no randomness.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { Destination } from '#events/referral-lifecycle.ts';
import { statusDetailTypes } from '#events/catalogue.ts';
import { referralStatuses, type ReferralStatus } from '#events/vocabulary.ts';
import { auditReason } from './lifecycle.ts';

/** Who appears in a trail: the roles a token grants, and Reachable itself. */
export const auditRoles = ['organisation', 'provider', 'spoke', 'hub', 'admin', 'system'] as const;
export type AuditRole = (typeof auditRoles)[number];

/**
 * Why personal data was read or a referral changed. A code, never words typed by someone:
 * `provider-casework` (a provider working a referral routed to it), `referral-management` (the
 * referrer sending or withdrawing it), `routing` and `deadline-monitoring` (Reachable itself),
 * `subject-access-request` (answering the young person's request under UK GDPR Article 15).
 */
export const purposes = [
  'provider-casework',
  'referral-management',
  'routing',
  'deadline-monitoring',
  'subject-access-request',
  'service-operation',
] as const;
export type Purpose = (typeof purposes)[number];

/**
 * What a read was: one referral opened (`referral.read`), taken from the queue
 * (`referral.pulled`), shown on a page of a list (`referral.listed`), answered whole after a
 * provider's command (`referral.command-answered`, the command in `detail`), or put in a subject
 * access export (`subject-access.exported`).
 */
export const readActions = [
  'referral.read',
  'referral.pulled',
  'referral.listed',
  'referral.command-answered',
  'subject-access.exported',
] as const;
export type ReadAction = (typeof readActions)[number];

/** Codes and ids only: what an audit record may hold in a free-form slot. */
const code = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:@/=+ -]+$/, 'must be a code');

export const auditActorSchema = z.strictObject({
  role: z.enum(auditRoles),
  /** Whom the actor acts for: a provider, organisation or partnership id, or a system part. */
  id: code,
  /** The person: the `sub` of their token (an opaque id from the identity provider). */
  subject: code.optional(),
});
/** Who did something: the role, whom they act for, and the person when a person did. */
export type AuditActor = z.infer<typeof auditActorSchema>;

/**
 * One entry of a referral's audit trail: a read of its personal data or a change of its state,
 * in one shape: who (`actor`), when (`at`), what (`action`, with `from`/`to` for a change and a
 * coded `detail`), why (`purpose`), and the API request (`correlationId`) for a read.
 */
export const auditEntrySchema = z
  .strictObject({
    referralId: z.uuid(),
    at: z.iso.datetime(),
    kind: z.enum(['read', 'change']),
    action: code,
    actor: auditActorSchema,
    purpose: z.enum(purposes),
    from: z.enum(referralStatuses).optional(),
    to: z.enum(referralStatuses).optional(),
    detail: code.optional(),
    correlationId: code.optional(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** What `GET /v1/admin/audit` answers: a page of the trail, oldest first. */
export const auditTrailSchema = z
  .strictObject({
    referralId: z.uuid(),
    entries: z.array(auditEntrySchema),
    cursor: z.string().optional().meta({ description: 'Pass as `cursor` for the next page' }),
  })
  .meta({ id: 'AuditTrail' });
export type AuditTrail = z.infer<typeof auditTrailSchema>;

/** The query of `GET /v1/admin/audit`. */
export const auditQuery = z.strictObject({
  referralId: z.uuid({ message: 'must be a referral id (a UUID)' }),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(2000).optional(),
});

/** A read of personal data as stored: an entry, and when DynamoDB's TTL may remove it. */
export interface ReadRecord {
  referralId: string;
  at: string;
  action: ReadAction;
  actor: AuditActor;
  purpose: Purpose;
  correlationId: string;
  detail?: string;
  /** Epoch seconds: after the referral's own expiry, plus the audit retention period. */
  expiresAt: number;
}

/**
 * How long audit records are kept after the referral they are about has expired: six years,
 * the limitation period for most claims in England and Wales (Limitation Act 1980), so a
 * complaint or claim about how a child's data was handled can still be answered.
 */
export const defaultAuditRetentionDays = 6 * 365;
/** The bounds a deployment's audit retention must keep to. */
export const auditRetentionBounds = { min: 1, max: 100 * 365 } as const;

const daySeconds = 24 * 60 * 60;

/**
 * When an audit record may go: `retentionDays` after the later of the referral's own expiry and
 * the record itself, so a record always outlives the personal data it is about.
 * @example auditExpiresAt(1893456000, new Date('2026-11-20T23:00:00Z'), 2190)
 */
export function auditExpiresAt(referralExpiresAt: number, at: Date, retentionDays: number): number {
  const recordedAt = Math.floor(at.getTime() / 1000);
  return Math.max(referralExpiresAt, recordedAt) + retentionDays * daySeconds;
}

/** How a set of reads came about: who, why, through which request, and what. */
export interface ReadContext {
  actor: AuditActor;
  purpose: Purpose;
  correlationId: string;
}

/** The audit records of one read of these referrals: one record per referral shown. */
export function readRecords(
  referrals: readonly { referralId: string; expiresAt: number }[],
  what: { action: ReadAction; detail?: string },
  context: ReadContext,
  { at, retentionDays }: { at: Date; retentionDays: number },
): ReadRecord[] {
  return referrals.map((referral) => ({
    referralId: referral.referralId,
    at: at.toISOString(),
    action: what.action,
    actor: context.actor,
    purpose: context.purpose,
    correlationId: context.correlationId,
    ...(what.detail ? { detail: what.detail } : {}),
    expiresAt: auditExpiresAt(referral.expiresAt, at, retentionDays),
  }));
}

/** A read record as an entry of the trail. */
export function readEntry(record: Omit<ReadRecord, 'expiresAt'>): AuditEntry {
  return {
    referralId: record.referralId,
    at: record.at,
    kind: 'read',
    action: record.action,
    actor: record.actor,
    purpose: record.purpose,
    ...(record.detail ? { detail: record.detail } : {}),
    correlationId: record.correlationId,
  };
}

/** A transition as the table keeps it (the audit and outbox item of a state change). */
export interface TransitionFacts {
  referralId: string;
  at: string;
  from: ReferralStatus;
  to: ReferralStatus;
  actor: { kind: 'provider' | 'referrer' | 'system'; id: string; subject?: string };
  /** The coded reason recorded with it, e.g. `declined: no-capacity`. */
  why?: string;
  /** The event it published, when not its status's (e.g. `referral.overdue`). */
  eventType?: string;
}

/** A transition as an entry of the trail: what changed, from and to, who, and why. */
export function changeEntry(transition: TransitionFacts): AuditEntry {
  const { actor } = transition;
  const action = transition.eventType ?? statusDetailTypes[transition.to];
  return {
    referralId: transition.referralId,
    at: transition.at,
    kind: 'change',
    action,
    actor: {
      role: actor.kind === 'referrer' ? 'organisation' : actor.kind,
      id: actor.id,
      ...(actor.subject ? { subject: actor.subject } : {}),
    },
    purpose: purposeOfChange(actor, action),
    from: transition.from,
    to: transition.to,
    ...(transition.why ? { detail: transition.why } : {}),
  };
}

/** What the referral's own item says of its arrival (identifiers and codes only). */
export interface ArrivalFacts {
  referralId: string;
  receivedAt: string;
  referrerOrganisationId: string;
  routing?: { routeId: string; destination: Destination; decidedAt: string };
}

/**
 * The referral's arrival: the first changes of its trail, from its own item. It was received
 * from the organisation that sent it and, in the same write, routed by its spoke's rule.
 */
export function arrivalEntries(referral: ArrivalFacts): AuditEntry[] {
  const received: AuditEntry = {
    referralId: referral.referralId,
    at: referral.receivedAt,
    kind: 'change',
    action: 'referral.received',
    actor: { role: 'organisation', id: referral.referrerOrganisationId },
    purpose: 'referral-management',
    to: 'received',
  };
  const { routing } = referral;
  // A routing decided later (before routing moved to intake) has a transition of its own.
  if (!routing || routing.decidedAt !== referral.receivedAt) return [received];
  const { destination } = routing;
  const why = auditReason({
    type: 'route',
    ...(destination.kind === 'provider' ? { providerId: destination.providerId } : {}),
  });
  return [
    received,
    changeEntry({
      referralId: referral.referralId,
      at: routing.decidedAt,
      from: 'received',
      to: 'routed',
      actor: { kind: 'system', id: `route:${routing.routeId}` },
      ...(why ? { why } : {}),
    }),
  ];
}

function purposeOfChange(actor: TransitionFacts['actor'], action: string): Purpose {
  if (actor.kind === 'provider') return 'provider-casework';
  if (actor.kind === 'referrer') return 'referral-management';
  if (action === 'referral.overdue') return 'deadline-monitoring';
  if (action === 'referral.routed' || actor.id.startsWith('route:')) return 'routing';
  return 'service-operation';
}

/** An entry with the key that orders it within its own stream (its sort key in the table). */
export interface KeyedEntry {
  key: string;
  entry: AuditEntry;
}

/**
 * The trail's order: by time; at the same moment a change before the read that answered it;
 * then by key, which is each stream's own order, so what a page takes of a stream is always a
 * prefix of it.
 */
export function compareEntries(a: KeyedEntry, b: KeyedEntry): number {
  if (a.entry.at !== b.entry.at) return a.entry.at < b.entry.at ? -1 : 1;
  if (a.entry.kind !== b.entry.kind) return a.entry.kind === 'change' ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Where a page of the trail ended in each stream: the last key taken of each, and how many
 * arrival entries were taken while some are left.
 */
export interface TrailPosition {
  arrival?: number;
  changes?: string;
  reads?: string;
}

/**
 * One page of the trail from the next entries of each stream (arrival, changes, reads): merged
 * in order, `limit` at most, with where each stream now stands and whether any has entries this
 * page left. The arrival entries come first of all, so only the first pages can hold them.
 */
export function mergeTrail({
  arrival = [],
  changes,
  reads,
  limit,
  after = {},
}: {
  /** The arrival entries not taken yet. */
  arrival?: readonly AuditEntry[];
  changes: readonly KeyedEntry[];
  reads: readonly KeyedEntry[];
  limit: number;
  after?: TrailPosition;
}): { entries: AuditEntry[]; position: TrailPosition; leftOver: boolean } {
  const tagged = [
    // Keyed before any transition key ('TRANSITION#...') of the same moment.
    ...arrival.map((entry, index) => ({ key: String(index), entry, stream: 'arrival' as const })),
    ...changes.map((keyed) => ({ ...keyed, stream: 'changes' as const })),
    ...reads.map((keyed) => ({ ...keyed, stream: 'reads' as const })),
  ].sort(compareEntries);
  const taken = tagged.slice(0, limit);
  const lastOf = (stream: 'changes' | 'reads') => taken.findLast((t) => t.stream === stream)?.key;
  const changesAt = lastOf('changes') ?? after.changes;
  const readsAt = lastOf('reads') ?? after.reads;
  const arrivalTaken = taken.filter((t) => t.stream === 'arrival').length;
  return {
    entries: taken.map((t) => t.entry),
    position: {
      ...(arrivalTaken < arrival.length ? { arrival: (after.arrival ?? 0) + arrivalTaken } : {}),
      ...(changesAt ? { changes: changesAt } : {}),
      ...(readsAt ? { reads: readsAt } : {}),
    },
    leftOver: tagged.length > taken.length,
  };
}

const cursorSchema = z.strictObject({
  arrival: z.int().min(1).max(10).optional(),
  changes: z.string().min(1).max(500).optional(),
  reads: z.string().min(1).max(500).optional(),
});

/** A page cursor: where the trail's streams stood, opaque to callers (base64url JSON). */
export function encodeTrailCursor(position: TrailPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a cursor holds, or a 400 naming `/cursor`. */
export function decodeTrailCursor(cursor: string): TrailPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalidCursor(error);
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) throw invalidCursor(parsed.error);
  return parsed.data;
}

function invalidCursor(cause: unknown): ValidationError {
  return new ValidationError(
    'The page cursor is not valid.',
    [{ pointer: '/cursor', detail: 'must be a cursor from a previous page' }],
    { cause },
  );
}
