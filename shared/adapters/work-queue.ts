import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { sqs } from './clients.ts';

/** A message taken from a work queue, invisible to others until its lease runs out. */
export interface LeasedMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
}

export interface WorkQueueOptions {
  queueUrl: string;
  client?: SQSClient;
}

/** One provider's (or triage's) SQS work queue. */
export class WorkQueue {
  readonly #queueUrl: string;
  readonly #client: SQSClient;

  constructor({ queueUrl, client }: WorkQueueOptions) {
    this.#queueUrl = queueUrl;
    this.#client = client ?? sqs();
  }

  /** Takes the next message with a lease of `leaseSeconds`, or undefined when the queue is empty. */
  async receive(leaseSeconds: number): Promise<LeasedMessage | undefined> {
    const { Messages } = await this.#client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#queueUrl,
        MaxNumberOfMessages: 1,
        VisibilityTimeout: leaseSeconds,
        // Long polling asks every SQS server; short polling can answer "empty" while a
        // referral is waiting. Returns as soon as a message is there.
        WaitTimeSeconds: 1,
      }),
    );
    const message = Messages?.[0];
    if (!message?.MessageId || !message.ReceiptHandle || message.Body === undefined)
      return undefined;
    return {
      messageId: message.MessageId,
      body: message.Body,
      receiptHandle: message.ReceiptHandle,
    };
  }

  /** Removes a message for good once its work is recorded. */
  async delete(receiptHandle: string): Promise<void> {
    await this.#client.send(
      new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  /** Keeps a leased message hidden for another `seconds`, from now. */
  async extend(receiptHandle: string, seconds: number): Promise<void> {
    await this.#client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
