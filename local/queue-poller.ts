import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { PollingLoop } from './polling-loop.ts';

export interface QueueMapping {
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  sqs: SQSClient;
  invoke: (event: SQSEvent) => Promise<unknown>;
}

/**
 * Polls an fauxqs queue and invokes a handler as Lambda's SQS event source mapping does:
 * messages the handler succeeds on are deleted; failed ones (the whole batch on a throw, or
 * those named in `batchItemFailures`) are left to reappear after the visibility timeout, so
 * the queue's redrive policy moves them to its dead-letter queue in the end.
 */
export class QueuePoller extends PollingLoop {
  constructor(private readonly mapping: QueueMapping) {
    // Long polls wait on an empty queue themselves, so no idle pause is needed.
    super('Queue', 0);
  }

  protected async pollOnce(): Promise<boolean> {
    const { queueUrl, batchSize, sqs } = this.mapping;
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(batchSize, 10),
        // Short enough that stop() returns promptly.
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return false;
    const records = Messages.map((message) => this.#toRecord(message));
    const failed = await this.#invoke(records);
    const succeeded = records.filter((record) => !failed.has(record.messageId));
    if (succeeded.length === 0) return true;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: succeeded.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
    );
    return true;
  }

  /** The ids of messages to leave on the queue. */
  async #invoke(records: SQSRecord[]): Promise<Set<string>> {
    try {
      const response = (await this.mapping.invoke({ Records: records })) as
        { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      return new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      return new Set(records.map((record) => record.messageId));
    }
  }

  #toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp:
          attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.mapping.queueArn,
      awsRegion: this.mapping.region,
    };
  }
}
