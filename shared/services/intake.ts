import type { ReferralStore } from '../adapters/referral-store.ts';
import { checkSubmission } from '../domain/intake.ts';
import { createReferral, type ReferralStatus } from '../domain/referral.ts';
import { routingAttributesOf, type ResponseExpected } from '../domain/routing-attributes.ts';
import { deadlinesFor } from '../domain/deadlines.ts';
import { ValidationError } from '../errors.ts';
import { bankHolidaysFor } from '../partnership/bank-holidays.ts';
import type { Partnership } from '../partnership/schema.ts';

export interface IntakeDependencies {
  partnership: Partnership;
  store: Pick<ReferralStore, 'create'>;
  now: () => Date;
  newId: () => string;
}

export interface IntakeReceipt {
  referralId: string;
  status: ReferralStatus;
  responseExpected: ResponseExpected;
  /** Plain words that must come first when a weapon was used or its use threatened. */
  callPoliceNow?: string;
}

/** What the referrer must read first when a weapon was used or threatened (000:477). */
export const callPoliceNowMessage =
  'Call the police now on 999. A weapon was used or its use was threatened: this needs the police immediately. ' +
  'This referral has been recorded and the spoke will also decide on support.';

/**
 * Checks a referral and stores it durably. Only returns once the write has succeeded, so a
 * 2xx to the referrer always means the referral is in the table (and so will be routed).
 */
export async function receiveReferral(
  body: unknown,
  { partnership, store, now, newId }: IntakeDependencies,
): Promise<IntakeReceipt> {
  const receivedAt = now();
  const check = checkSubmission(body, receivedAt, partnership);
  if (!check.ok) {
    throw new ValidationError('The referral has fields that need correcting.', check.problems);
  }
  const routing = routingAttributesOf(check.submission, check.ageYears, receivedAt, partnership);
  const pathway = partnership.pathways.find((p) => p.id === check.submission.pathway);
  const referral = createReferral({
    referralId: newId(),
    submission: check.submission,
    routing,
    retentionDays: pathway?.retentionDays ?? 3 * 365,
    receivedAt,
    ...(pathway
      ? {
          deadlines: deadlinesFor({
            receivedAt,
            pathway,
            responseExpected: routing.responseExpected,
            bankHolidays: bankHolidaysFor(partnership),
          }),
        }
      : {}),
  });
  await store.create(referral);
  return {
    referralId: referral.referralId,
    status: referral.status,
    responseExpected: referral.responseExpected,
    ...(referral.flags.immediateEscalation ? { callPoliceNow: callPoliceNowMessage } : {}),
  };
}
