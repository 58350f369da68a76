import type { MetricsStore } from '../table/metrics-store.ts';
import { factsOf, monthOf, noProvider, stageOf } from '../domain/hub-metrics.ts';
import type { ReferralEventDetail } from '#events/referral-lifecycle.ts';
import type { Log } from '../observability.ts';

export interface ProjectorDependencies {
  store: Pick<MetricsStore, 'count' | 'moveStage'>;
  log: Log;
}

/**
 * Projects one lifecycle event onto the hub's aggregates: each fact it establishes is counted
 * once per referral, in the month the referral was received, so repeats and late arrivals
 * change nothing; and the referral's stage in the waiting lists moves to where the event says it
 * is, unless a later event has already been applied.
 */
export async function projectEvent(
  detailType: string,
  detail: ReferralEventDetail,
  { store, log }: ProjectorDependencies,
): Promise<number> {
  const cell = { month: monthOf(detail.receivedAt), spoke: detail.spoke, pathway: detail.pathway };
  let counted = 0;
  for (const fact of factsOf(detailType, detail)) {
    if (await store.count(detail.referralId, cell, fact)) counted++;
  }
  // A referral starts on no list, so its receipt moves nothing. It must not: its routing happens
  // at the same moment, and a stage move as old as the last one applied is ignored.
  const moved =
    detail.status !== 'received' &&
    (await store.moveStage(detail.referralId, cell, {
      stage: stageOf(detail.status),
      provider: detail.providerId ?? noProvider,
      at: detail.occurredAt,
    }));
  if (counted > 0 || moved) {
    log.info('Projected', { referralId: detail.referralId, detailType, counted, moved });
  }
  return counted;
}
