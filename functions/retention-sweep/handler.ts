import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { ReferralStore } from '#shared/adapters/referral-store.ts';
import { now } from '#shared/clock.ts';
import { requireEnv } from '#shared/config.ts';
import { logContext, logger } from '#shared/observability.ts';
import { sweepRetention } from '#shared/services/retention-sweep.ts';

// Erasing needs no key: the sealed values are removed, never opened.
const store = new ReferralStore({ tableName: requireEnv('TABLE_NAME') });

/** Daily: erases the personal data of referrals past their retention period. */
export const handler = middy(async (_event: ScheduledEvent) => {
  const result = await sweepRetention({ store, now, log: logger });
  logger.info('Retention sweep done', result);
  return result;
}).use(logContext());
