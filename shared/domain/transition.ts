/**
 * A referral's change as it is recorded: the referral after it, the fields it sets, and its
 * audit record, which carries the lifecycle event the outbox publishes. Planned here, persisted
 * as given by the table's adapter. Pure: no AWS, no clock.
 */
import { detailTypes } from '#events/catalogue.ts';
import type { ReferralEventDetail } from '#events/referral-lifecycle.ts';
import type { DeadlineKind, ReferralStatus } from '#events/vocabulary.ts';
import {
  toEventDetail,
  type Referral,
  type ReferralChanges,
  type RoutingDecision,
} from './referral.ts';

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
  /** The event's detail-type when it is not named by `to` (a missed deadline's). */
  eventType?: string;
}

/** The fields a transition sets; a key present with `undefined` removes the field. */
export type TransitionChanges = ReferralChanges & { routing?: RoutingDecision };

/** A status change asked for: to what, when, by whom, why, and the fields it sets. */
export interface TransitionRequest {
  to: ReferralStatus;
  at: Date;
  actor: Actor;
  /** Coded reason for the audit trail; never free text. */
  why?: string;
  /** Fields to set; a key present with `undefined` removes the field (e.g. ends a lease). */
  changes?: TransitionChanges;
}

/** A status change ready to persist: conditional on `before` being what is stored. */
export interface RecordedTransition {
  before: Referral;
  after: Referral;
  /** Only the fields this change names (besides status and `updatedAt`): what is written. */
  changes: TransitionChanges;
  record: TransitionRecord;
}

/** A missed deadline flagged: the referral's `overdue` after it, and its record and event. */
export interface RecordedOverdue {
  before: Referral;
  after: Referral;
  kind: DeadlineKind;
  record: TransitionRecord;
}

/** The referral after a status change, and its audit record with the lifecycle event. */
export function recordTransition(before: Referral, request: TransitionRequest): RecordedTransition {
  const at = request.at.toISOString();
  const changes = request.changes ?? {};
  const after: Referral = { ...before, ...changes, status: request.to, updatedAt: at };
  return {
    before,
    after,
    changes,
    record: {
      referralId: before.referralId,
      from: before.status,
      to: request.to,
      at,
      actor: request.actor,
      ...(request.why ? { why: request.why } : {}),
      event: toEventDetail(after),
    },
  };
}

/**
 * A missed deadline flagged once by the SLA sweep: not a status change (`updatedAt` stays, so
 * it never races a provider's own), recorded with a `referral.overdue` event.
 */
export function recordOverdue(referral: Referral, kind: DeadlineKind, at: Date): RecordedOverdue {
  const when = at.toISOString();
  const after: Referral = { ...referral, overdue: { ...referral.overdue, [kind]: when } };
  return {
    before: referral,
    after,
    kind,
    record: {
      referralId: referral.referralId,
      from: referral.status,
      to: referral.status,
      at: when,
      actor: { kind: 'system', id: 'sla-sweep' },
      why: `overdue: ${kind}`,
      event: { ...toEventDetail(after), occurredAt: when, overdue: kind },
      eventType: detailTypes.referralOverdue,
    },
  };
}
