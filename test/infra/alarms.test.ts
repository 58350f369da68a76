import { describe, expect, it } from 'vitest';
import { partnershipById } from '#partnerships/index.ts';
import {
  functionId,
  logicalIdOf,
  parkingQueueIds,
  referencedId,
  resourcesOfType,
  synthesize,
  type Resource,
} from './synth.ts';

const { stack, resources } = synthesize();
const partnership = partnershipById('avon-and-somerset');
const alarms = resourcesOfType(resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm);

interface Dimension {
  Name: string;
  Value: unknown;
}

/** The alarms on one metric of the resource with this logical id. */
function alarmsOn(metricName: string, id: string): Resource[] {
  return alarms.filter(
    ({ Properties: alarm }) =>
      alarm.MetricName === metricName &&
      (alarm.Dimensions as Dimension[]).some((dimension) => referencedId(dimension.Value) === id),
  );
}

describe('alarms', () => {
  it.each([...parkingQueueIds(resources)])(
    'raises an alarm as soon as one message is parked in %s',
    (queueId) => {
      // Act
      const [alarm, ...others] = alarmsOn('ApproximateNumberOfMessagesVisible', queueId);

      // Assess
      expect(others).toHaveLength(0);
      expect(alarm?.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    },
  );

  it('raises an alarm when the outbox fails to publish, or falls over 5 minutes behind', () => {
    // Prepare
    const publish = functionId(resources, 'publish');

    // Act
    const [errors] = alarmsOn('Errors', publish);
    const [behind] = alarmsOn('IteratorAge', publish);

    // Assess
    expect(errors?.Properties).toMatchObject({ Threshold: 1, Statistic: 'Sum', Period: 300 });
    expect(behind?.Properties).toMatchObject({ Threshold: 300_000, Statistic: 'Maximum' });
  });

  it.each(partnership.providers.map((provider) => [provider.id, provider.pathways] as const))(
    'raises an alarm when a referral waits unpulled too long in %s’s queue',
    (providerId, pathways) => {
      // Prepare
      const queue = logicalIdOf(stack.busAndRoutes.providerQueues[providerId]!.queue);
      const shifts = partnership.pathways.some(
        (pathway) => pathways.includes(pathway.id) && pathway.staffedWindows !== undefined,
      );

      // Act
      const [alarm, ...others] = alarmsOn('ApproximateAgeOfOldestMessage', queue);

      // Assess: same-shift work within the hour, the rest within the day.
      expect(others).toHaveLength(0);
      expect(alarm?.Properties).toMatchObject({
        Threshold: shifts ? 3600 : 86_400,
        Statistic: 'Maximum',
        ComparisonOperator: 'GreaterThanThreshold',
      });
    },
  );

  it('has a provider of same-shift work (Admit), so both thresholds above are checked', () => {
    // Act
    const admit = stack.busAndRoutes.providerQueues['turning-point-admit']!;

    // Assess
    expect(alarmsOn('ApproximateAgeOfOldestMessage', logicalIdOf(admit.queue))).toHaveLength(1);
    expect(partnership.pathways.find((p) => p.id === 'admit')?.staffedWindows).toBeDefined();
  });

  it('alarms on the escalation queue within 15 minutes, and on each spoke’s triage within a day', () => {
    // Prepare
    const { escalationQueue, triageQueues } = stack.busAndRoutes;

    // Act
    const thresholdOf = (queue: string) =>
      alarmsOn('ApproximateAgeOfOldestMessage', queue).map((alarm) => alarm.Properties.Threshold);

    // Assess
    expect(thresholdOf(logicalIdOf(escalationQueue.queue))).toEqual([900]);
    for (const triage of Object.values(triageQueues)) {
      expect(thresholdOf(logicalIdOf(triage.queue))).toEqual([86_400]);
    }
  });
});
