import { BatchProcessor, type EventType } from '@aws-lambda-powertools/batch';
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';
import { asError } from './errors.ts';
import type { Log } from './observability.ts';

type FailedRecord = Parameters<BatchProcessor['failureHandler']>[0];
type ProcessorConfig = ConstructorParameters<typeof BatchProcessor>[1];

/**
 * What to log about a record that failed: its id, how often it was received, where it came from
 * and the error's name. Never the body or the error's message: ids and names only.
 */
export function failedRecordFields(record: FailedRecord, error: unknown): Record<string, unknown> {
  const errorName = asError(error).name;
  if ('messageId' in record) {
    const message = record as SQSRecord;
    return {
      messageId: message.messageId,
      receiveCount: Number(message.attributes.ApproximateReceiveCount),
      queue: message.eventSourceARN.split(':').at(-1),
      errorName,
    };
  }
  if ('dynamodb' in record) {
    const change = record as DynamoDBRecord;
    return {
      sequenceNumber: change.dynamodb?.SequenceNumber,
      eventName: change.eventName,
      errorName,
    };
  }
  return { errorName };
}

/**
 * Powertools' BatchProcessor, saying which record failed and why. A queue's dead-letter queue
 * keeps no reason, so this line (`Record failed`, with the message id and the error's name) is
 * the reason an operator finds for a parked message; `npm run dlq -- show` prints the same id.
 */
export class ReportingBatchProcessor extends BatchProcessor {
  readonly #log: Pick<Log, 'error'>;

  constructor(
    eventType: keyof typeof EventType,
    log: Pick<Log, 'error'>,
    config?: ProcessorConfig,
  ) {
    super(eventType, config);
    this.#log = log;
  }

  /** Logs the failure by ids and error name, then reports the record as Powertools does. */
  override failureHandler(record: FailedRecord, error: Error) {
    this.#log.error('Record failed', failedRecordFields(record, error));
    return super.failureHandler(record, error);
  }
}
