import type { Destination, ReferralEventDetail } from '#events/referral-lifecycle.ts';
import type { ReferrerType } from '../partnership/schema.ts';
import type { ReferralSubmission } from './intake.ts';
import type { ProviderId } from './partnership.ts';
import type { ResponseExpected, RoutingAttributes, RoutingFlags } from './routing-attributes.ts';

/** Where a referral is in its life. The full lifecycle grows from here (DESIGN.md). */
export type ReferralStatus = 'received' | 'routed' | 'accepted';

/** A provider's hold on a referral it pulled: the queue message stays invisible until expiry. */
export interface Lease {
  providerId: ProviderId;
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
  referrerType: ReferrerType;
  referrerOrganisationId: string;
  flags: RoutingFlags;
  responseExpected: ResponseExpected;
  receivedAt: string;
  updatedAt: string;
  /** The route EventBridge matched, recorded when the routing decision arrives. */
  routing?: RoutingDecision;
  providerId?: ProviderId;
  lease?: Lease;
  personal: Omit<ReferralSubmission, 'pathway' | 'spoke'>;
  /** Epoch seconds after which personal data must be gone (DynamoDB TTL). */
  expiresAt: number;
}

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
}

/** Builds the stored referral from a checked submission. */
export function createReferral({
  referralId,
  submission,
  routing,
  retentionDays,
  receivedAt,
}: NewReferral): Referral {
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
    personal,
    expiresAt: Math.floor(receivedAt.getTime() / 1000) + retentionDays * 24 * 60 * 60,
  };
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
    ...(referral.providerId ? { providerId: referral.providerId } : {}),
    ...(referral.routing ? { destination: referral.routing.destination } : {}),
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
    responseExpected: referral.responseExpected,
    ...referral.personal,
  };
}
