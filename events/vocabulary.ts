/**
 * The vocabulary every event, request and config speaks: the identifiers' form and each finite
 * set of codes. Owned here, at the leaf (`events/` imports nothing of the project), so events,
 * the domain, the API and the pages read the same lists.
 */
import { z } from 'zod';

/** Identifiers are lower-case slugs everywhere: spokes, providers, organisations. */
export const idSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case identifier')
  .max(80);

/** Where a referral is in its life (DESIGN.md, Lifecycle). */
export const referralStatuses = [
  'received',
  'routed',
  'rerouted',
  'accepted',
  'declined',
  'contact-attempted',
  'engaged',
  'closed',
  'withdrawn',
] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

/** Why a provider says no. */
export const declineReasons = [
  'out-of-area',
  'not-eligible',
  'no-capacity',
  'already-known',
  'other',
] as const;
export type DeclineReason = (typeof declineReasons)[number];

/** How a provider tried to reach the young person, and what came of it. */
export const contactMethods = ['in-person', 'phone', 'text', 'letter'] as const;
export const contactResults = ['reached', 'no-answer', 'message-left', 'refused'] as const;
export type ContactMethod = (typeof contactMethods)[number];
export type ContactResult = (typeof contactResults)[number];

/** How a referral ended. */
export const closeOutcomes = [
  'completed',
  'disengaged',
  'moved-away',
  'referred-on',
  'declined-support',
  'safeguarding-escalated',
] as const;
export type CloseOutcome = (typeof closeOutcomes)[number];

/** The deadlines a provider works to, each flagged once when missed (`referral.overdue`). */
export const deadlineKinds = ['accept', 'first-contact'] as const;
export type DeadlineKind = (typeof deadlineKinds)[number];

/** A provider's word on whether it can take more work. */
export const capacityStatuses = ['open', 'waitlist', 'closed'] as const;
export type CapacityStatus = (typeof capacityStatuses)[number];

/** Kinds of organisation that refer; routing and reports group by these. */
export const referrerTypes = [
  'school',
  'hospital',
  'social-care',
  'youth-justice',
  'police',
  'voluntary',
  'multi-agency-meeting',
] as const;
export type ReferrerType = (typeof referrerTypes)[number];

/** Pathway kinds the intake has a details schema for; a partnership switches them on per spoke. */
export const pathwayKinds = [
  'weapons-in-schools',
  'ae-teachable-moment',
  'admit',
  'sos-mentoring',
  'care-leaver-mentoring',
  'drug-alcohol-young-people',
  'targeted-intervention',
] as const;
export type PathwayKind = (typeof pathwayKinds)[number];
