import middy from '@middy/core';
import { EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { eventSource } from '#events/catalogue.ts';
import { EventBus } from '#shared/adapters/event-bus.ts';
import { ReportingBatchProcessor } from '#shared/batch.ts';
import { requireEnv } from '#shared/config.ts';
import { asError } from '#shared/errors.ts';
import { logContext, logger } from '#shared/observability.ts';
import { eventsForInsertedItem } from '#shared/services/publish.ts';
import { outboxEntities } from '#shared/table/layout.ts';

const processor = new ReportingBatchProcessor(EventType.DynamoDBStreams, logger);
const bus = new EventBus({
  busName: requireEnv('EVENT_BUS_NAME'),
  source: eventSource(requireEnv('PARTNERSHIP')),
});

/** One stream record: a new referral or transition becomes its lifecycle event on the bus. */
async function recordHandler(record: DynamoDBRecord): Promise<void> {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return;
  // The mapping's filter lets only the outbox through (referrals and transitions); should any
  // other item reach it, it publishes nothing and must never hold the stream up.
  const entity = (record.dynamodb.NewImage.entity as { S?: string } | undefined)?.S;
  if (!(outboxEntities as readonly (string | undefined)[]).includes(entity)) return;
  let item: Record<string, unknown> = {};
  let events;
  try {
    item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
    events = eventsForInsertedItem(item);
  } catch (error) {
    // Named, never the item: the record is retried, then sent to the failure queue.
    const { name, message } = asError(error);
    logger.error('No event from stream record', { entity: item.entity, name, message });
    throw error;
  }
  if (events.length === 0) return;
  const eventIds = await bus.publish(events);
  logger.info('Published', {
    detailTypes: events.map((event) => event.detailType),
    eventIds,
    referralId: item.referralId,
  });
}

/** The table's stream is the outbox: failed records are reported and retried, never skipped. */
export const handler = middy(async (event: DynamoDBStreamEvent, context: Context) =>
  // In stream order: a referral's events must not overtake each other.
  processPartialResponse(event, recordHandler, processor, { context, processInParallel: false }),
).use(logContext());
