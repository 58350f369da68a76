import type { ReferralEventDetail } from '#events/referral-lifecycle.ts';
import type { ReferralSubmission } from './intake.ts';
import { defaultRetentionDays, type ProviderId } from './partnership.ts';

/** Where a referral is in its life. The full lifecycle grows from here (DESIGN.md). */
export type ReferralStatus = 'received' | 'routed' | 'accepted';

/** A provider's hold on a referral it pulled: the queue message stays invisible until expiry. */
export interface Lease {
  receiptHandle: string;
  expiresAt: string;
}

/**
 * A referral as stored. Everything about the young person and the referrer sits under
 * `personal`; the rest is identifiers and routing attributes, safe for events and aggregates.
 */
export interface Referral {
  referralId: string;
  status: ReferralStatus;
  spoke: ReferralSubmission['spoke'];
  pathway: ReferralSubmission['pathway'];
  ageYears: number;
  referrerOrganisationId: string;
  flags: { immediateEscalation: boolean };
  receivedAt: string;
  updatedAt: string;
  providerId?: ProviderId;
  lease?: Lease;
  personal: Omit<ReferralSubmission, 'pathway' | 'spoke'>;
  /** Epoch seconds after which personal data must be gone (DynamoDB TTL). */
  expiresAt: number;
}

export interface NewReferral {
  referralId: string;
  submission: ReferralSubmission;
  ageYears: number;
  receivedAt: Date;
}

/** Builds the stored referral from a checked submission. */
export function createReferral({
  referralId,
  submission,
  ageYears,
  receivedAt,
}: NewReferral): Referral {
  const { pathway, spoke, ...personal } = submission;
  const at = receivedAt.toISOString();
  return {
    referralId,
    status: 'received',
    spoke,
    pathway,
    ageYears,
    referrerOrganisationId: submission.referrer.organisationId,
    flags: { immediateEscalation: false },
    receivedAt: at,
    updatedAt: at,
    personal,
    expiresAt: Math.floor(receivedAt.getTime() / 1000) + defaultRetentionDays * 24 * 60 * 60,
  };
}

/** The event detail for a referral: identifiers and routing attributes, no personal data. */
export function toEventDetail(referral: Referral): ReferralEventDetail {
  return {
    referralId: referral.referralId,
    spoke: referral.spoke,
    pathway: referral.pathway,
    ageYears: referral.ageYears,
    referrerOrganisationId: referral.referrerOrganisationId,
    flags: { ...referral.flags },
    status: referral.status,
    occurredAt: referral.updatedAt,
    ...(referral.providerId ? { providerId: referral.providerId } : {}),
  };
}

/** What a provider sees of a referral routed to it: the case, without internal bookkeeping. */
export function toProviderView(referral: Referral) {
  return {
    referralId: referral.referralId,
    status: referral.status,
    spoke: referral.spoke,
    pathway: referral.pathway,
    ageYears: referral.ageYears,
    receivedAt: referral.receivedAt,
    ...referral.personal,
  };
}
