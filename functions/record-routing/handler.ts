import middy from '@middy/core';
import { EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import type { z } from 'zod';
import { routesFor } from '#events/routing/index.ts';
import { Referrals } from '#shared/table/referrals.ts';
import { ReportingBatchProcessor } from '#shared/batch.ts';
import { requireEnv } from '#shared/config.ts';
import { partnershipById } from '#shared/domain/partnership.ts';
import { logContext, logger } from '#shared/observability.ts';
import { now } from '#shared/clock.ts';
import {
  recordRoutingDecision,
  routingDecisionMessageSchema,
} from '#shared/services/record-routing.ts';

const recordSchema = SqsRecordSchema.extend({
  body: JSONStringified(routingDecisionMessageSchema),
});
const processor = new ReportingBatchProcessor(EventType.SQS, logger, {
  parser,
  schema: recordSchema,
  logger,
});
const partnershipId = requireEnv('PARTNERSHIP');
const dependencies = {
  partnership: partnershipById(partnershipId),
  routes: routesFor(partnershipId),
  store: new Referrals({ tableName: requireEnv('TABLE_NAME') }),
  now,
  log: logger,
};

/** One routing decision reported by a route rule: recorded on the referral. */
async function recordHandler(record: z.infer<typeof recordSchema>): Promise<void> {
  await recordRoutingDecision(record.body, dependencies);
}

/** Routing decisions from every spoke route; failures are retried, then parked in the DLQ. */
export const handler = middy(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context }),
).use(logContext());
