import { checkSubmission } from '../domain/intake.ts';
import { createReferral, type ReferralStatus } from '../domain/referral.ts';
import { ValidationError } from '../errors.ts';
import type { ReferralStore } from '../adapters/referral-store.ts';

export interface IntakeDependencies {
  store: Pick<ReferralStore, 'create'>;
  now: () => Date;
  newId: () => string;
}

export interface IntakeReceipt {
  referralId: string;
  status: ReferralStatus;
}

/**
 * Checks a referral and stores it durably. Only returns once the write has succeeded, so a
 * 2xx to the referrer always means the referral is in the table (and so will be routed).
 */
export async function receiveReferral(
  body: unknown,
  { store, now, newId }: IntakeDependencies,
): Promise<IntakeReceipt> {
  const receivedAt = now();
  const check = checkSubmission(body, receivedAt);
  if (!check.ok) {
    throw new ValidationError('The referral has fields that need correcting.', check.problems);
  }
  const referral = createReferral({
    referralId: newId(),
    submission: check.submission,
    ageYears: check.ageYears,
    receivedAt,
  });
  await store.create(referral);
  return { referralId: referral.referralId, status: referral.status };
}
