import { CapacityRecords } from '#shared/table/capacity.ts';
import { DeliveryRecords } from '#shared/table/deliveries.ts';
import { ReferralQueries } from '#shared/table/referral-queries.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { referralItemKeys } from '#shared/table/layout.ts';
import { Referrals, type ReferralsOptions } from '#shared/table/referrals.ts';

/**
 * Every adapter over the one table as one object, each method bound: for tests that drive a
 * service over the real adapters (on a mocked or local client), whichever port it takes.
 */
export function tableAdapters(options: ReferralsOptions) {
  const referrals = new Referrals(options);
  const queries = new ReferralQueries(options);
  const deliveries = new DeliveryRecords(options);
  const capacity = new CapacityRecords(options);
  return {
    create: referrals.create.bind(referrals),
    get: referrals.get.bind(referrals),
    transition: referrals.transition.bind(referrals),
    lease: referrals.lease.bind(referrals),
    flagOverdue: referrals.flagOverdue.bind(referrals),
    refreshDeadlineIndex: referrals.refreshDeadlineIndex.bind(referrals),
    erasePersonalData: referrals.erasePersonalData.bind(referrals),
    listByProvider: queries.listByProvider.bind(queries),
    listByOrganisation: queries.listByOrganisation.bind(queries),
    receivedBetween: queries.receivedBetween.bind(queries),
    dueBy: queries.dueBy.bind(queries),
    referralIdsBySubject: queries.referralIdsBySubject.bind(queries),
    history: queries.history.bind(queries),
    expiredBy: queries.expiredBy.bind(queries),
    delivery: deliveries.delivery.bind(deliveries),
    getCapacity: capacity.getCapacity.bind(capacity),
    putCapacity: capacity.putCapacity.bind(capacity),
  };
}

/**
 * The table item of a referral, keys and indexes as the layout gives them, with whatever the
 * referral holds (personal data in the clear too, if it has any: the worst case for a leak).
 */
export function referralItemOf(referral: Referral): Record<string, unknown> {
  return { ...referralItemKeys(referral), ...referral };
}
