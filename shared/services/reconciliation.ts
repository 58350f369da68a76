import { operationsDetailTypes } from '#events/catalogue.ts';
import type { EventBus } from '../adapters/event-bus.ts';
import type { MetricsStore } from '../table/metrics-store.ts';
import type { ReferralQueries } from '../table/referral-queries.ts';
import {
  discrepancyOf,
  reportOf,
  type Discrepancy,
  type ReconciliationReport,
} from '../domain/reconciliation.ts';
import type { Log } from '../observability.ts';

export interface ReconciliationSettings {
  /** Minutes after receipt by which a referral must have been routed. */
  notRoutedAfterMinutes: number;
  /** How far back referrals are checked, by receipt. */
  lookbackDays: number;
}

export interface ReconciliationDependencies {
  store: Pick<ReferralQueries, 'receivedBetween'>;
  reports: Pick<MetricsStore, 'saveReconciliation'>;
  bus: Pick<EventBus, 'publish'>;
  spokes: readonly string[];
  settings: ReconciliationSettings;
  now: () => Date;
  log: Log;
}

/** At most this many referral ids ride on one alarm event, well inside EventBridge's 256 KB. */
export const maxIdsPerEvent = 200;

/**
 * Checks every spoke's recent referrals for ones stored but not routed, and ones routed to a
 * provider but never pulled past their acceptance deadline. Keeps the counts for the hub and,
 * when anything is found, raises one alarm event naming the referrals (ids only) for operators.
 */
export async function reconcile({
  store,
  reports,
  bus,
  spokes,
  settings,
  now,
  log,
}: ReconciliationDependencies): Promise<ReconciliationReport> {
  const at = now();
  const since = new Date(at.getTime() - settings.lookbackDays * 24 * 60 * 60 * 1000);
  const found: Discrepancy[] = [];
  for (const spoke of spokes) {
    let cursor: string | undefined;
    do {
      const page = await store.receivedBetween(spoke, since, at, cursor ? { cursor } : {});
      for (const referral of page.referrals) {
        const discrepancy = discrepancyOf(referral, at, settings);
        if (discrepancy) found.push(discrepancy);
      }
      cursor = page.cursor;
    } while (cursor);
  }
  const report = reportOf(found, { at, ...settings });
  await reports.saveReconciliation(report);
  if (found.length > 0) {
    await bus.publish([
      {
        detailType: operationsDetailTypes.reconciliationDiscrepancies,
        detail: {
          checkedAt: report.checkedAt,
          counts: report.counts,
          discrepancies: found.slice(0, maxIdsPerEvent),
          more: Math.max(0, found.length - maxIdsPerEvent),
        },
      },
    ]);
    log.warn('Reconciliation found referrals stuck', { counts: report.counts });
  }
  return report;
}
