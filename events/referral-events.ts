/**
 * One schema per referral detail-type: EventBridge's own envelope (Powertools'
 * `EventBridgeSchema`), its `detail-type` fixed, and the detail that type always carries. The
 * publish function checks what it sends with them; consumers parse what they receive with them.
 * The detail's `status` is the referral's when the event was made, not fixed per type: a late or
 * repeated event (which the projector must absorb) can carry a later status than its type's.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { detailTypes, type DetailType } from './catalogue.ts';
import { referralEventDetailSchema } from './referral-lifecycle.ts';
import {
  closeOutcomes,
  contactMethods,
  contactResults,
  deadlineKinds,
  declineReasons,
} from './vocabulary.ts';

const detail = referralEventDetailSchema;

/** The envelope of one detail-type with its detail. */
function eventOf<T extends DetailType, D extends z.ZodType>(detailType: T, detailSchema: D) {
  return EventBridgeSchema.extend({ 'detail-type': z.literal(detailType), detail: detailSchema });
}

/**
 * A referral stored: its routing attributes, as received. Its status is the one it was stored
 * with (received, or routed when the route is decided at intake).
 */
export const referralReceivedEvent = eventOf(detailTypes.referralReceived, detail);
export type ReferralReceivedEvent = z.infer<typeof referralReceivedEvent>;

/** Sent with `referral.received` when a weapon was used or its use threatened. */
export const referralEscalatedEvent = eventOf(
  detailTypes.referralEscalated,
  detail.extend({
    flags: detail.shape.flags.extend({ immediateEscalation: z.literal(true) }),
  }),
);
export type ReferralEscalatedEvent = z.infer<typeof referralEscalatedEvent>;

/** Where a route sent the referral, recorded on it. */
export const referralRoutedEvent = eventOf(detailTypes.referralRouted, detail);
export type ReferralRoutedEvent = z.infer<typeof referralRoutedEvent>;

export const referralAcceptedEvent = eventOf(detailTypes.referralAccepted, detail);
export type ReferralAcceptedEvent = z.infer<typeof referralAcceptedEvent>;

/** A provider's "no", with its coded reason (never the free-text details). */
export const referralDeclinedEvent = eventOf(
  detailTypes.referralDeclined,
  detail.extend({ declineReason: z.enum(declineReasons) }),
);
export type ReferralDeclinedEvent = z.infer<typeof referralDeclinedEvent>;

/** A contact attempt: how, and what came of it. */
export const referralContactAttemptedEvent = eventOf(
  detailTypes.referralContactAttempted,
  detail.extend({
    contact: z.strictObject({ method: z.enum(contactMethods), result: z.enum(contactResults) }),
  }),
);
export type ReferralContactAttemptedEvent = z.infer<typeof referralContactAttemptedEvent>;

export const referralEngagedEvent = eventOf(detailTypes.referralEngaged, detail);
export type ReferralEngagedEvent = z.infer<typeof referralEngagedEvent>;

/** The end of a referral's life, with its outcome. */
export const referralClosedEvent = eventOf(
  detailTypes.referralClosed,
  detail.extend({ closeOutcome: z.enum(closeOutcomes) }),
);
export type ReferralClosedEvent = z.infer<typeof referralClosedEvent>;

/** A deadline missed, flagged once: the referral's status is whatever it is now. */
export const referralOverdueEvent = eventOf(
  detailTypes.referralOverdue,
  detail.extend({ overdue: z.enum(deadlineKinds) }),
);
export type ReferralOverdueEvent = z.infer<typeof referralOverdueEvent>;

export const referralReroutedEvent = eventOf(detailTypes.referralRerouted, detail);
export type ReferralReroutedEvent = z.infer<typeof referralReroutedEvent>;

/** Withdrawn by the organisation that referred. */
export const referralWithdrawnEvent = eventOf(detailTypes.referralWithdrawn, detail);
export type ReferralWithdrawnEvent = z.infer<typeof referralWithdrawnEvent>;

/** Each detail-type's schema: a detail-type of the catalogue without one fails `tsc`. */
export const referralEventSchemas = {
  [detailTypes.referralReceived]: referralReceivedEvent,
  [detailTypes.referralRouted]: referralRoutedEvent,
  [detailTypes.referralEscalated]: referralEscalatedEvent,
  [detailTypes.referralAccepted]: referralAcceptedEvent,
  [detailTypes.referralDeclined]: referralDeclinedEvent,
  [detailTypes.referralContactAttempted]: referralContactAttemptedEvent,
  [detailTypes.referralEngaged]: referralEngagedEvent,
  [detailTypes.referralClosed]: referralClosedEvent,
  [detailTypes.referralOverdue]: referralOverdueEvent,
  [detailTypes.referralRerouted]: referralReroutedEvent,
  [detailTypes.referralWithdrawn]: referralWithdrawnEvent,
} as const satisfies { [T in DetailType]: { shape: { 'detail-type': z.ZodLiteral<T> } } };
type ReferralEventSchemas = (typeof referralEventSchemas)[DetailType];

/** Any referral lifecycle event, told apart by its detail-type. */
export const referralEventSchema = z.discriminatedUnion(
  'detail-type',
  Object.values(referralEventSchemas) as [ReferralEventSchemas, ...ReferralEventSchemas[]],
);
export type ReferralEvent = z.infer<typeof referralEventSchema>;

/** The detail a detail-type carries, checked strictly: what the publish function sends. */
export function referralEventDetailFor<T extends DetailType>(
  detailType: T,
  value: unknown,
): z.infer<(typeof referralEventSchemas)[T]>['detail'] {
  return referralEventSchemas[detailType].shape.detail.parse(value) as z.infer<
    (typeof referralEventSchemas)[T]
  >['detail'];
}
