import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { now } from '#shared/clock.ts';
import { requireEnv } from '#shared/config.ts';
import { logContext, logger } from '#shared/observability.ts';
import { sweepRetention } from '#shared/services/retention-sweep.ts';
import { ReferralQueries } from '#shared/table/referral-queries.ts';
import { Referrals } from '#shared/table/referrals.ts';

// Erasing needs no key: the sealed values are removed, never opened.
const tableName = requireEnv('TABLE_NAME');
const referrals = new Referrals({ tableName });
const queries = new ReferralQueries({ tableName });
const store = {
  expiredBy: queries.expiredBy.bind(queries),
  erasePersonalData: referrals.erasePersonalData.bind(referrals),
};

/** Daily: erases the personal data of referrals past their retention period. */
export const handler = middy(async (_event: ScheduledEvent) => {
  const result = await sweepRetention({ store, now, log: logger });
  logger.info('Retention sweep done', result);
  return result;
}).use(logContext());
