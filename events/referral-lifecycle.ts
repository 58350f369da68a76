import { z } from 'zod';
import { pathwayIdSchema, providerIdSchema, spokeIdSchema } from '#shared/domain/partnership.ts';

/**
 * What every referral event carries: identifiers and routing attributes only. Never names,
 * dates of birth, addresses, free text or NHS numbers (DESIGN.md, Events).
 */
export const referralEventDetailSchema = z.strictObject({
  referralId: z.uuid(),
  spoke: spokeIdSchema,
  pathway: pathwayIdSchema,
  ageYears: z.int().min(0).max(25),
  referrerOrganisationId: z.string(),
  flags: z.strictObject({
    immediateEscalation: z.boolean(),
  }),
  status: z.string(),
  occurredAt: z.iso.datetime(),
  providerId: providerIdSchema.optional(),
});
export type ReferralEventDetail = z.infer<typeof referralEventDetailSchema>;
