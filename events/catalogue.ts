/**
 * The event catalogue: every producer, consumer and rule imports these names, so no string
 * literal names an event twice.
 */
import type { ReferralStatus } from './vocabulary.ts';

export const detailTypes = {
  referralReceived: 'referral.received',
  referralRouted: 'referral.routed',
  referralEscalated: 'referral.escalated',
  referralAccepted: 'referral.accepted',
  referralDeclined: 'referral.declined',
  referralContactAttempted: 'referral.contact-attempted',
  referralEngaged: 'referral.engaged',
  referralClosed: 'referral.closed',
  referralOverdue: 'referral.overdue',
  referralRerouted: 'referral.rerouted',
  referralWithdrawn: 'referral.withdrawn',
} as const;
export type DetailType = (typeof detailTypes)[keyof typeof detailTypes];
/** Every referral detail-type, for a schema's enum. */
export const detailTypeList = Object.values(detailTypes) as [DetailType, ...DetailType[]];

/**
 * The event each status is announced by: a transition into a status publishes its event, so a
 * status without one here fails `tsc` rather than the publish function.
 */
export const statusDetailTypes = {
  received: detailTypes.referralReceived,
  routed: detailTypes.referralRouted,
  rerouted: detailTypes.referralRerouted,
  accepted: detailTypes.referralAccepted,
  declined: detailTypes.referralDeclined,
  'contact-attempted': detailTypes.referralContactAttempted,
  engaged: detailTypes.referralEngaged,
  closed: detailTypes.referralClosed,
  withdrawn: detailTypes.referralWithdrawn,
} as const satisfies Record<ReferralStatus, DetailType>;

/** Events for operators, not about one referral's lifecycle: never counted by the hub. */
export const operationsDetailTypes = {
  reconciliationDiscrepancies: 'reconciliation.discrepancies-found',
} as const;
export type OperationsDetailType =
  (typeof operationsDetailTypes)[keyof typeof operationsDetailTypes];

/** The `source` of every event a partnership's deployment emits. */
export const eventSource = (partnership: string): `reachable.${string}` =>
  `reachable.${partnership}`;
