import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';

export interface WorkQueueProps {
  /**
   * How long a received message stays hidden: the provider's lease on a referral.
   * @default Duration.minutes(15)
   */
  visibilityTimeout?: Duration;
  /**
   * Receives before a message is parked in the dead-letter queue.
   * @default 5
   */
  maxReceiveCount?: number;
}

/**
 * A work queue (a provider's, a spoke's triage, or escalation) with its dead-letter queue,
 * encryption, TLS-only access and an alarm as soon as anything is parked.
 */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps = {}) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', `the work queue ${id}`);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout ?? Duration.minutes(15),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }
}
