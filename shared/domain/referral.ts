import type { Destination, ReferralEventDetail } from '#events/referral-lifecycle.ts';
import type { ReferralSubmission } from './intake.ts';
import { IllegalTransitionError, ValidationError } from '../errors.ts';
import {
  allowedCommands,
  nextStatus,
  providerCommandsAllowed,
  type LifecycleCommand,
} from './lifecycle.ts';
import type { Deadlines } from './deadlines.ts';
import type { ProviderId } from './partnership.ts';
import type { ResponseExpected, RoutingAttributes, RoutingFlags } from './routing-attributes.ts';
import type {
  CloseOutcome,
  ContactMethod,
  ContactResult,
  DeadlineKind,
  DeclineReason,
  ReferralStatus,
  ReferrerType,
} from '#events/vocabulary.ts';

/** When each step of the loop happened: what referrers and the hub see. */
export interface Milestones {
  routedAt?: string;
  acceptedAt?: string;
  declinedAt?: string;
  firstContactAt?: string;
  engagedAt?: string;
  closedAt?: string;
  withdrawnAt?: string;
}

export interface ContactAttempt {
  method: ContactMethod;
  result: ContactResult;
  attemptedAt: string;
}

export type { Deadlines } from './deadlines.ts';

/** A provider's hold on a referral it pulled: the queue message stays invisible until expiry. */
export interface Lease {
  providerId: ProviderId;
  receiptHandle: string;
  expiresAt: string;
  /**
   * The queue message the lease holds. Another message for the same referral while the lease
   * runs is a duplicate delivery; this one coming back is the same delivery, pulled again.
   */
  messageId?: string;
}

/** Everything a submission says about the young person and the referrer: personal data. */
export type PersonalData = Omit<ReferralSubmission, 'pathway' | 'spoke'>;

/**
 * A referral. Everything about the young person and the referrer sits under `personal`, and a
 * decline's free text in `decline.details`; the rest is identifiers and routing attributes,
 * safe for events and aggregates. At rest the personal data is sealed (`personalSealed`,
 * `declineDetailsSealed`, opaque here): a referral read back from the table has no `personal`
 * until the one function that must show it opens the seal.
 */
export interface Referral {
  referralId: string;
  status: ReferralStatus;
  spoke: ReferralSubmission['spoke'];
  pathway: ReferralSubmission['pathway'];
  ageYears: number;
  referrerType: ReferrerType;
  referrerOrganisationId: string;
  flags: RoutingFlags;
  responseExpected: ResponseExpected;
  receivedAt: string;
  updatedAt: string;
  /** The route EventBridge matched, recorded when the routing decision arrives. */
  routing?: RoutingDecision;
  providerId?: ProviderId;
  /** Providers it was rerouted away from: their queues may still hold a stale message. */
  previousProviders?: ProviderId[];
  lease?: Lease;
  milestones?: Milestones;
  /**
   * The provider's coded reason; `details` is free text, never on an event or an audit record,
   * and sealed at rest: present only as given, or once opened.
   */
  decline?: { reason: DeclineReason; details?: string };
  contactAttempts?: ContactAttempt[];
  closeOutcome?: CloseOutcome;
  deadlines?: Deadlines;
  /** Deadlines found breached, each flagged (and escalated) once. */
  overdue?: Partial<Record<DeadlineKind, string>>;
  /** The personal data in the clear: as submitted, or once opened; never stored so. */
  personal?: PersonalData;
  /** `personal`, sealed (an AWS Encryption SDK message bound to this referral). */
  personalSealed?: Uint8Array;
  /** `decline.details`, sealed likewise. */
  declineDetailsSealed?: Uint8Array;
  /** The young person's blind index (a keyed hash of names and date of birth), for access requests. */
  subjectIndex?: string;
  /** Epoch seconds after which personal data must be gone (DynamoDB TTL), while it is held. */
  expiresAt?: number;
  /** When the retention sweep erased the personal data; what is left is anonymous. */
  erasedAt?: string;
}

/** A referral with its personal data in the clear, as only its provider (and the subject) sees it. */
export type RevealedReferral = Referral & { personal: PersonalData };

/** A referral whose personal data was erased at the end of its retention period. */
export type ErasedReferral = Referral & { erasedAt: string };

/** Which rule routed a referral, where to, and why, in words for the spoke coordinator. */
export interface RoutingDecision {
  routeId: string;
  destination: Destination;
  reasons: string[];
  decidedAt: string;
}

export interface NewReferral {
  referralId: string;
  submission: ReferralSubmission;
  routing: { attributes: RoutingAttributes; responseExpected: ResponseExpected };
  retentionDays: number;
  receivedAt: Date;
  deadlines?: Deadlines;
}

/** Builds a new referral from a checked submission, its personal data still in the clear. */
export function createReferral({
  referralId,
  submission,
  routing,
  retentionDays,
  receivedAt,
  deadlines,
}: NewReferral): RevealedReferral & { expiresAt: number } {
  // Pathway and spoke are routing attributes; the rest is personal data.
  const { pathway, spoke, ...personal } = submission;
  const at = receivedAt.toISOString();
  return {
    referralId,
    status: 'received',
    ...routing.attributes,
    responseExpected: routing.responseExpected,
    receivedAt: at,
    updatedAt: at,
    ...(deadlines ? { deadlines } : {}),
    personal,
    expiresAt: Math.floor(receivedAt.getTime() / 1000) + retentionDays * 24 * 60 * 60,
  };
}

/** What a command changes on a referral, besides its status. */
export type ReferralChanges = Partial<
  Pick<
    Referral,
    | 'providerId'
    | 'previousProviders'
    | 'milestones'
    | 'decline'
    | 'contactAttempts'
    | 'closeOutcome'
    | 'lease'
  >
>;

export type PlannedTransition =
  { kind: 'repeat' } | { kind: 'change'; to: ReferralStatus; changes: ReferralChanges };

/**
 * What a lifecycle command does to this referral at this moment: a change (new status and
 * fields), a repeat of a change already made (one effect for duplicate calls), or an
 * IllegalTransitionError naming what the current status allows.
 */
export function planTransition(
  referral: Referral,
  given: LifecycleCommand,
  at: string,
): PlannedTransition {
  const command = inUtc(given);
  if (isRepeat(referral, command)) return { kind: 'repeat' };
  const to = nextStatus(referral.status, command.type);
  if (!to) {
    throw new IllegalTransitionError(
      command.type,
      referral.status,
      allowedCommands(referral.status),
    );
  }
  checkFacts(referral, command, at);
  const milestones = { ...referral.milestones };
  const changes: ReferralChanges = { milestones };
  switch (command.type) {
    case 'route':
      milestones.routedAt ??= at;
      if (command.providerId) changes.providerId = command.providerId;
      break;
    case 'accept':
      milestones.acceptedAt = at;
      changes.lease = undefined;
      break;
    case 'decline':
      milestones.declinedAt = at;
      changes.decline = {
        reason: command.reason,
        ...(command.details ? { details: command.details } : {}),
      };
      changes.lease = undefined;
      break;
    case 'attempt-contact':
      milestones.firstContactAt ??= command.attemptedAt;
      changes.contactAttempts = [
        ...(referral.contactAttempts ?? []),
        { method: command.method, result: command.result, attemptedAt: command.attemptedAt },
      ];
      break;
    case 'engage':
      milestones.engagedAt = at;
      break;
    case 'close':
      milestones.closedAt = at;
      changes.closeOutcome = command.outcome;
      break;
    case 'reroute':
      changes.providerId = command.toProviderId;
      // A referral can come back to a provider it left: then it is that provider's again.
      changes.previousProviders = [
        ...(referral.previousProviders ?? []),
        ...(referral.providerId ? [referral.providerId] : []),
      ].filter((providerId) => providerId !== command.toProviderId);
      changes.lease = undefined;
      // The new provider starts afresh: its own accept and decline.
      delete milestones.acceptedAt;
      delete milestones.declinedAt;
      changes.decline = undefined;
      break;
    case 'withdraw':
      milestones.withdrawnAt = at;
      changes.lease = undefined;
      break;
  }
  return { kind: 'change', to, changes };
}

// A provider's clock may run a little ahead of ours; a contact attempt cannot be later than that.
const clockSkewMs = 5 * 60 * 1000;

/** A contact attempt's moment in UTC, so one moment has one spelling (and one attempt). */
function inUtc(command: LifecycleCommand): LifecycleCommand {
  return command.type === 'attempt-contact'
    ? { ...command, attemptedAt: new Date(command.attemptedAt).toISOString() }
    : command;
}

/**
 * The facts a command states, checked against the referral: a contact attempt happened between
 * receipt and now (a back-dated attempt would meet a deadline that was missed); a reroute goes
 * to someone else.
 */
function checkFacts(referral: Referral, command: LifecycleCommand, at: string): void {
  if (command.type === 'attempt-contact') {
    const attempted = Date.parse(command.attemptedAt);
    if (attempted < Date.parse(referral.receivedAt) || attempted > Date.parse(at) + clockSkewMs) {
      throw new ValidationError('The contact attempt has a date that cannot be right.', [
        { pointer: '/attemptedAt', detail: 'must be between the referral being received and now' },
      ]);
    }
  }
  if (command.type === 'reroute' && command.toProviderId === referral.providerId) {
    throw new ValidationError('A referral is rerouted to another provider.', [
      { pointer: '/toProviderId', detail: 'must be a provider other than the current one' },
    ]);
  }
}

/** A duplicate call: the referral already shows exactly what the command would make of it. */
function isRepeat(referral: Referral, command: LifecycleCommand): boolean {
  switch (command.type) {
    case 'route':
      return referral.status !== 'received';
    case 'accept':
      return referral.status === 'accepted';
    case 'decline':
      // The same decline, word for word: another reason or other details is another request.
      return (
        referral.status === 'declined' &&
        referral.decline?.reason === command.reason &&
        referral.decline.details === command.details
      );
    case 'attempt-contact':
      return (referral.contactAttempts ?? []).some(
        (attempt) =>
          attempt.attemptedAt === command.attemptedAt &&
          attempt.method === command.method &&
          attempt.result === command.result,
      );
    case 'engage':
      return referral.status === 'engaged';
    case 'close':
      return referral.status === 'closed' && referral.closeOutcome === command.outcome;
    case 'reroute':
      return referral.status === 'rerouted' && referral.providerId === command.toProviderId;
    case 'withdraw':
      return referral.status === 'withdrawn';
  }
}

/**
 * The earliest deadline this referral still has to meet and has not been flagged for: what
 * the SLA sweep looks at next. Undefined once nothing is pending.
 */
export function nextDeadline(referral: Referral): string | undefined {
  const { deadlines, overdue = {}, status } = referral;
  if (!deadlines) return undefined;
  const awaitingAcceptance = ['received', 'routed', 'rerouted'].includes(status);
  const awaitingContact = awaitingAcceptance || status === 'accepted';
  const pending = [
    ...(awaitingAcceptance && !overdue.accept ? [deadlines.acceptBy] : []),
    ...(awaitingContact && !overdue['first-contact'] ? [deadlines.firstContactBy] : []),
  ];
  return pending.sort()[0];
}

/** The event detail for a referral: identifiers and routing attributes, no personal data. */
export function toEventDetail(referral: Referral): ReferralEventDetail {
  return {
    referralId: referral.referralId,
    spoke: referral.spoke,
    pathway: referral.pathway,
    ageYears: referral.ageYears,
    referrerType: referral.referrerType,
    referrerOrganisationId: referral.referrerOrganisationId,
    flags: { ...referral.flags },
    status: referral.status,
    occurredAt: referral.updatedAt,
    receivedAt: referral.receivedAt,
    ...(referral.milestones ? { milestones: { ...referral.milestones } } : {}),
    ...(referral.providerId ? { providerId: referral.providerId } : {}),
    ...(referral.routing ? { destination: referral.routing.destination } : {}),
    // Coded facts only: a decline's free-text details never reach an event.
    ...(referral.decline ? { declineReason: referral.decline.reason } : {}),
    ...(referral.closeOutcome ? { closeOutcome: referral.closeOutcome } : {}),
    ...(lastContact(referral) ?? {}),
  };
}

function lastContact(referral: Referral) {
  const attempt = referral.contactAttempts?.at(-1);
  return attempt ? { contact: { method: attempt.method, result: attempt.result } } : undefined;
}

/**
 * Whether the referral is this provider's to work. Once routing is recorded it decides; before
 * that, holding the lease shows the referral reached this provider's queue.
 */
export function isHeldBy(referral: Referral, providerId: string): boolean {
  return referral.providerId !== undefined
    ? referral.providerId === providerId
    : referral.lease?.providerId === providerId;
}

/**
 * What a provider sees of a referral routed to it: the case, without internal bookkeeping. Once
 * its personal data is erased, what is left: status, dates and codes, and when it was erased.
 */
export function toProviderView(referral: RevealedReferral | ErasedReferral) {
  return {
    referralId: referral.referralId,
    status: referral.status,
    /** The commands its provider may give it now; anything else answers 409. */
    allowed: providerCommandsAllowed(referral.status),
    spoke: referral.spoke,
    pathway: referral.pathway,
    ageYears: referral.ageYears,
    receivedAt: referral.receivedAt,
    responseExpected: referral.responseExpected,
    ...(referral.deadlines ? { deadlines: referral.deadlines } : {}),
    ...(referral.overdue ? { overdue: referral.overdue } : {}),
    milestones: referral.milestones ?? {},
    ...(referral.decline ? { decline: referral.decline } : {}),
    contactAttempts: referral.contactAttempts ?? [],
    ...(referral.closeOutcome ? { closeOutcome: referral.closeOutcome } : {}),
    ...(referral.erasedAt ? { erasedAt: referral.erasedAt } : referral.personal),
  };
}

/** True once the referral's personal data has been erased. */
export function isErased(referral: Referral): referral is ErasedReferral {
  return referral.erasedAt !== undefined;
}

/** What the referring organisation sees: status and dates, never case notes or personal data. */
export function toReferrerView(referral: Referral) {
  return {
    referralId: referral.referralId,
    pathway: referral.pathway,
    spoke: referral.spoke,
    status: referral.status,
    receivedAt: referral.receivedAt,
    updatedAt: referral.updatedAt,
    milestones: referral.milestones ?? {},
  };
}
