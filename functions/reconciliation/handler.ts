import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { eventSource } from '#events/catalogue.ts';
import { EventBus } from '#shared/adapters/event-bus.ts';
import { MetricsStore } from '#shared/table/metrics-store.ts';
import { ReferralQueries } from '#shared/table/referral-queries.ts';
import { intEnv, requireEnv } from '#shared/config.ts';
import { partnershipById } from '#partnerships/index.ts';
import { logContext, logger } from '#shared/observability.ts';
import { reconcile } from '#shared/services/reconciliation.ts';
import { now } from '#shared/clock.ts';

const tableName = requireEnv('TABLE_NAME');
const partnership = partnershipById(requireEnv('PARTNERSHIP'));
const dependencies = {
  store: new ReferralQueries({ tableName }),
  reports: new MetricsStore({ tableName }),
  bus: new EventBus({ busName: requireEnv('EVENT_BUS_NAME'), source: eventSource(partnership.id) }),
  spokes: partnership.spokes.map((spoke) => spoke.id),
  settings: {
    notRoutedAfterMinutes: intEnv('NOT_ROUTED_AFTER_MINUTES', 15, { min: 1 }),
    lookbackDays: intEnv('RECONCILIATION_LOOKBACK_DAYS', 30, { min: 1, max: 366 }),
  },
  now,
  log: logger,
};

/** On a schedule: finds referrals stuck between intake and a provider, and raises an alarm. */
export const handler = middy(async (_event: ScheduledEvent) => {
  const report = await reconcile(dependencies);
  logger.info('Reconciliation done', { counts: report.counts });
  return report;
}).use(logContext());
