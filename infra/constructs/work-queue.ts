import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
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
  /**
   * Alarm when the oldest message has waited longer than this: work nobody has picked up.
   * @default no such alarm
   */
  alarmWhenWaitingLongerThan?: Duration;
  /** Who should have picked the work up, for the alarm's description. */
  pickedUpBy?: string;
}

/**
 * A work queue (a provider's, a spoke's triage, or escalation) with its dead-letter queue,
 * encryption, TLS-only access, an alarm as soon as anything is parked and, if asked, an alarm
 * when work waits too long.
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
    const waiting = props.alarmWhenWaitingLongerThan;
    if (waiting) {
      this.queue
        .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' })
        .createAlarm(this, 'WaitingTooLongAlarm', {
          alarmDescription: `A referral has waited over ${waiting.toHumanString()} in ${id} for ${props.pickedUpBy ?? 'its consumer'} to pick it up.`,
          threshold: waiting.toSeconds(),
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
    }
  }
}
