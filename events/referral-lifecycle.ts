import { z } from 'zod';
import {
  closeOutcomes,
  contactMethods,
  contactResults,
  deadlineKinds,
  declineReasons,
  idSchema,
  pathwayKinds,
  referralStatuses,
  referrerTypes,
} from './vocabulary.ts';

/** Where a route sent a referral, as recorded on it. */
export const destinationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('provider'), providerId: idSchema }),
  z.strictObject({ kind: z.literal('triage'), spoke: idSchema }),
  z.strictObject({ kind: z.literal('escalation') }),
]);
export type Destination = z.infer<typeof destinationSchema>;

/**
 * What every referral event carries: identifiers and routing attributes only. Never names,
 * dates of birth, addresses, free text or NHS numbers (DESIGN.md, Events).
 */
export const referralEventDetailSchema = z.strictObject({
  referralId: z.uuid(),
  spoke: idSchema,
  pathway: z.enum(pathwayKinds),
  ageYears: z.int().min(0).max(25),
  referrerType: z.enum(referrerTypes),
  referrerOrganisationId: idSchema,
  flags: z.strictObject({
    immediateEscalation: z.boolean(),
    aggravatingFactors: z.boolean(),
    eligibleAge: z.boolean(),
    inStaffedWindow: z.boolean(),
  }),
  status: z.enum(referralStatuses),
  occurredAt: z.iso.datetime(),
  /** When the referral came in: the hub counts each referral in the month it was received. */
  receivedAt: z.iso.datetime(),
  /** When each step happened (dates only): the hub's times to contact and engagement. */
  milestones: z
    .strictObject({
      routedAt: z.iso.datetime().optional(),
      acceptedAt: z.iso.datetime().optional(),
      declinedAt: z.iso.datetime().optional(),
      firstContactAt: z.iso.datetime().optional(),
      engagedAt: z.iso.datetime().optional(),
      closedAt: z.iso.datetime().optional(),
      withdrawnAt: z.iso.datetime().optional(),
    })
    .optional(),
  providerId: idSchema.optional(),
  destination: destinationSchema.optional(),
  declineReason: z.enum(declineReasons).optional(),
  closeOutcome: z.enum(closeOutcomes).optional(),
  contact: z
    .strictObject({ method: z.enum(contactMethods), result: z.enum(contactResults) })
    .optional(),
  /** On `referral.overdue`: the deadline that was missed. */
  overdue: z.enum(deadlineKinds).optional(),
});
export type ReferralEventDetail = z.infer<typeof referralEventDetailSchema>;
