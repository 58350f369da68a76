import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { ReferralStore } from '#shared/adapters/referral-store.ts';
import { requireEnv } from '#shared/config.ts';
import { logContext, logger } from '#shared/observability.ts';
import { sweepDeadlines } from '#shared/services/sla-sweep.ts';
import { now } from '#shared/clock.ts';

const store = new ReferralStore({ tableName: requireEnv('TABLE_NAME') });

/** On a schedule: flags each missed deadline once, which escalates it. */
export const handler = middy(async (_event: ScheduledEvent) => {
  const result = await sweepDeadlines({ store, now, log: logger });
  logger.info('Deadline sweep done', result);
  return result;
}).use(logContext());
