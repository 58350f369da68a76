/**
 * The event catalogue: every producer, consumer and rule imports these names, so no string
 * literal names an event twice.
 */
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

/** Events for operators, not about one referral's lifecycle: never counted by the hub. */
export const operationsDetailTypes = {
  reconciliationDiscrepancies: 'reconciliation.discrepancies-found',
} as const;
export type OperationsDetailType =
  (typeof operationsDetailTypes)[keyof typeof operationsDetailTypes];

/** The `source` of every event a partnership's deployment emits. */
export const eventSource = (partnership: string): `reachable.${string}` =>
  `reachable.${partnership}`;
