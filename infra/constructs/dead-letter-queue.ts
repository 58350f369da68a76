import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeNag } from '../nag-acknowledgements.ts';

/**
 * A dead-letter queue as every parking place in Reachable has it: encrypted, TLS-only, keeping
 * messages for SQS's maximum of 14 days so an operator has time to redrive them, and alarmed as
 * soon as anything is parked, because a parked message is a referral or a fact about one.
 */
export function deadLetterQueue(scope: Construct, id: string, parkedFrom: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeNag(queue, 'AwsSolutions-SQS3');
  queue
    .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) })
    .createAlarm(scope, `${id}Alarm`, {
      alarmDescription: `Messages parked from ${parkedFrom}: an operator needs to look and redrive.`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  return queue;
}
