import middy from '@middy/core';
import { EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import type { z } from 'zod';
import { referralEventSchema } from '#events/referral-events.ts';
import { MetricsStore } from '#shared/table/metrics-store.ts';
import { ReportingBatchProcessor } from '#shared/batch.ts';
import { requireEnv } from '#shared/config.ts';
import { asError } from '#shared/errors.ts';
import { logContext, logger } from '#shared/observability.ts';
import { projectEvent } from '#shared/services/projector.ts';

// Each event is checked by its own detail-type's schema.
const recordSchema = SqsRecordSchema.extend({ body: JSONStringified(referralEventSchema) });
const processor = new ReportingBatchProcessor(EventType.SQS, logger, {
  parser,
  schema: recordSchema,
  logger,
});
const store = new MetricsStore({ tableName: requireEnv('TABLE_NAME') });

async function recordHandler(record: z.infer<typeof recordSchema>): Promise<void> {
  try {
    await projectEvent(record.body['detail-type'], record.body.detail, { store, log: logger });
  } catch (error) {
    // Named, never the event: it is retried, then parked in the dead-letter queue.
    const { name, message } = asError(error);
    logger.error('Projection failed', { detailType: record.body['detail-type'], name, message });
    throw error;
  }
}

/** Every lifecycle event, from its own queue: the hub's aggregates, counted once per referral. */
export const handler = middy(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context }),
).use(logContext());
