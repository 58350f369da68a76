import { z } from 'zod';
import { text } from './intake.ts';
import {
  capacityStatuses,
  closeOutcomes,
  contactMethods,
  contactResults,
  declineReasons,
  idSchema,
  referralStatuses,
} from '#events/vocabulary.ts';

/** The body of each provider command, strict: unknown fields are refused by name. */
export const providerCommandBodies = {
  decline: z
    .strictObject({
      reason: z.enum(declineReasons),
      details: text(1000).optional(),
    })
    .refine((body) => body.reason !== 'other' || body.details !== undefined, {
      message: 'must say why when the reason is "other"',
      path: ['details'],
    }),
  'attempt-contact': z.strictObject({
    method: z.enum(contactMethods),
    result: z.enum(contactResults),
    attemptedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
  }),
  close: z.strictObject({ outcome: z.enum(closeOutcomes) }),
  reroute: z.strictObject({ toProviderId: idSchema }),
} as const;

/** A provider's word on its capacity. */
export const capacityBody = z
  .strictObject({
    status: z.enum(capacityStatuses),
    expectedWaitDays: z.int().min(0).max(365).optional(),
  })
  .refine((body) => body.status === 'waitlist' || body.expectedWaitDays === undefined, {
    message: 'only a waitlist has an expected wait',
    path: ['expectedWaitDays'],
  });

/** Query string of a list: an optional status, page size and cursor. */
export const listQuery = z.strictObject({
  status: z.enum(referralStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(2000).optional(),
});
