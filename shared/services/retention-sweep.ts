import type { ReferralQueries } from '../table/referral-queries.ts';
import type { Referrals } from '../table/referrals.ts';
import type { Log } from '../observability.ts';

export interface RetentionSweepDependencies {
  store: Pick<ReferralQueries, 'expiredBy'> & Pick<Referrals, 'erasePersonalData'>;
  now: () => Date;
  log: Log;
}

/**
 * Erases the personal data of every referral whose retention period has ended, found through
 * the sparse retention index (no scan): the sealed personal data, a decline's details and the
 * blind index go; ids, spoke, pathway, provider, status, dates and codes stay, with `erasedAt`.
 * DynamoDB's TTL deletes expired items too, but only within days and never on DynamoDB Local:
 * the sweep is what makes erasure prompt and certain. It emits no event and touches no
 * aggregate, and running it again changes nothing.
 */
export async function sweepRetention({
  store,
  now,
  log,
}: RetentionSweepDependencies): Promise<{ expired: number; erased: number }> {
  const at = now();
  let expired = 0;
  let erased = 0;
  let cursor: string | undefined;
  do {
    const page = await store.expiredBy(at, { ...(cursor ? { cursor } : {}) });
    for (const referralId of page.referralIds) {
      expired++;
      if (await store.erasePersonalData(referralId, at)) {
        erased++;
        log.info('Personal data erased', { referralId });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return { expired, erased };
}
