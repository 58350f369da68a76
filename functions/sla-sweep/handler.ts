import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { requireEnv } from '#shared/config.ts';
import { logContext, logger } from '#shared/observability.ts';
import { sweepDeadlines } from '#shared/services/sla-sweep.ts';
import { ReferralQueries } from '#shared/table/referral-queries.ts';
import { Referrals } from '#shared/table/referrals.ts';
import { now } from '#shared/clock.ts';

const tableName = requireEnv('TABLE_NAME');
const referrals = new Referrals({ tableName });
const queries = new ReferralQueries({ tableName });
const store = {
  dueBy: queries.dueBy.bind(queries),
  flagOverdue: referrals.flagOverdue.bind(referrals),
  refreshDeadlineIndex: referrals.refreshDeadlineIndex.bind(referrals),
};

/** On a schedule: flags each missed deadline once, which escalates it. */
export const handler = middy(async (_event: ScheduledEvent) => {
  const result = await sweepDeadlines({ store, now, log: logger });
  logger.info('Deadline sweep done', result);
  return result;
}).use(logContext());
