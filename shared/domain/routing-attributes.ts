import type { Partnership } from '../partnership/schema.ts';
import type { ReferralSubmission } from './intake.ts';
import { inStaffedWindow } from './staffed-window.ts';
import type { ReferrerType } from '#events/vocabulary.ts';

/** The finite facts routing rules may look at: enums, booleans and an integer age. */
export interface RoutingFlags {
  /** A weapon was used or its use threatened: the police are called now (000:477). */
  immediateEscalation: boolean;
  aggravatingFactors: boolean;
  /** The age is inside the pathway's eligible range. */
  eligibleAge: boolean;
  /** Received while the pathway's workers are on hand (Admit: Fri/Sat 18:00-24:00). */
  inStaffedWindow: boolean;
}

export interface RoutingAttributes {
  spoke: string;
  pathway: ReferralSubmission['pathway'];
  ageYears: number;
  referrerType: ReferrerType;
  referrerOrganisationId: string;
  flags: RoutingFlags;
}

/** What the referrer is told to expect of the first contact. */
export type ResponseExpected = 'same-shift' | 'next-day-aftercare' | 'standard';

/**
 * Derives the routing attributes of a checked submission from the partnership's config.
 * Pure: the clock reading comes in as `receivedAt`.
 */
export function routingAttributesOf(
  submission: ReferralSubmission,
  ageYears: number,
  receivedAt: Date,
  partnership: Partnership,
): { attributes: RoutingAttributes; responseExpected: ResponseExpected } {
  const pathway = partnership.pathways.find((p) => p.id === submission.pathway);
  const organisation = partnership.referrerOrganisations.find(
    (o) => o.id === submission.referrer.organisationId,
  );
  if (!pathway || !organisation) {
    throw new Error('A checked submission names a pathway and organisation of the partnership');
  }
  const details = submission.details as Partial<{
    used: boolean;
    threatened: boolean;
    aggravatingFactors: boolean;
  }>;
  const windows = pathway.staffedWindows ?? [];
  const staffedNow = windows.some((window) => inStaffedWindow(receivedAt, window));
  return {
    attributes: {
      spoke: submission.spoke,
      pathway: submission.pathway,
      ageYears,
      referrerType: organisation.type,
      referrerOrganisationId: organisation.id,
      flags: {
        immediateEscalation: details.used === true || details.threatened === true,
        aggravatingFactors: details.aggravatingFactors === true,
        eligibleAge: ageYears >= pathway.eligibleAge.min && ageYears <= pathway.eligibleAge.max,
        inStaffedWindow: staffedNow,
      },
    },
    responseExpected:
      windows.length === 0 ? 'standard' : staffedNow ? 'same-shift' : 'next-day-aftercare',
  };
}
