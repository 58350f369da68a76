import type { PersonalDataCipher } from '../adapters/personal-data-cipher.ts';
import { PersonalDataUnreadableError } from '../adapters/personal-data-cipher.ts';
import type { PersonalData, Referral, RevealedReferral } from '../domain/referral.ts';
import { GoneError } from '../errors.ts';

/**
 * Opens a referral's sealed personal data (and a decline's sealed details), for the one place
 * that must show it: the provider it is routed to, or the young person's own access request.
 * A referral whose personal data was erased is Gone; one with nothing sealed, or a seal made for
 * another referral, is a PersonalDataUnreadableError.
 */
export async function revealReferral(
  referral: Referral,
  cipher: Pick<PersonalDataCipher, 'open'>,
): Promise<RevealedReferral> {
  if (referral.erasedAt) throw erasedError(referral.referralId, referral.erasedAt);
  const { referralId, personalSealed, declineDetailsSealed, decline } = referral;
  // Always from the seal: nothing in the clear on an item is ever trusted as its personal data.
  if (!personalSealed) {
    throw new PersonalDataUnreadableError(`Referral ${referralId} holds no sealed personal data.`);
  }
  const [personal, details] = await Promise.all([
    cipher.open('personal', referralId, personalSealed) as Promise<PersonalData>,
    decline && !decline.details && declineDetailsSealed
      ? (cipher.open('decline-details', referralId, declineDetailsSealed) as Promise<string>)
      : Promise.resolve(decline?.details),
  ]);
  return {
    ...referral,
    personal,
    ...(decline ? { decline: { ...decline, ...(details ? { details } : {}) } } : {}),
  };
}

/** The answer for a referral whose personal data has been erased: 410, saying when and why. */
export function erasedError(referralId: string, erasedAt: string): GoneError {
  return new GoneError(
    `The personal data of referral ${referralId} was erased on ${erasedAt.slice(0, 10)}, ` +
      'at the end of its retention period. Its status, dates and codes are kept; nothing else is.',
  );
}
