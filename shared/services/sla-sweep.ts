import { overdueChecks } from '../domain/deadlines.ts';
import { recordOverdue } from '../domain/transition.ts';
import type { ReferralQueries } from '../table/referral-queries.ts';
import type { Referrals } from '../table/referrals.ts';
import type { Log } from '../observability.ts';

export interface SlaSweepDependencies {
  store: Pick<ReferralQueries, 'dueBy'> & Pick<Referrals, 'flagOverdue' | 'refreshDeadlineIndex'>;
  now: () => Date;
  log: Log;
}

/**
 * Finds referrals past a deadline they have not met (acceptance, first contact) and flags each
 * breach once, which emits `referral.overdue` to the escalation queue. Referrals in the
 * deadline index with nothing left to flag are taken out of it (or moved to their next
 * deadline), so the index only ever holds work.
 */
export async function sweepDeadlines({
  store,
  now,
  log,
}: SlaSweepDependencies): Promise<{ checked: number; flagged: number }> {
  const at = now();
  let checked = 0;
  let flagged = 0;
  let cursor: string | undefined;
  do {
    const page = await store.dueBy(at, { ...(cursor ? { cursor } : {}) });
    for (const referral of page.referrals) {
      checked++;
      const breaches = referral.deadlines
        ? overdueChecks({ ...referral, deadlines: referral.deadlines }, at)
        : [];
      let current = referral;
      for (const kind of breaches) {
        const overdue = recordOverdue(current, kind, at);
        if (await store.flagOverdue(overdue)) {
          flagged++;
          log.info('Deadline missed', { referralId: referral.referralId, deadline: kind });
        }
        current = overdue.after;
      }
      if (breaches.length === 0) await store.refreshDeadlineIndex(referral);
    }
    cursor = page.cursor;
  } while (cursor);
  return { checked, flagged };
}
