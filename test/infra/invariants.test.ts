import { outboxStreamPattern } from '#shared/table/layout.ts';
import { describe, expect, it } from 'vitest';
import { parkingQueueIds, referencedId, resourcesOfType, synthesize, targetsOf } from './synth.ts';

// Invariants every queue, event source mapping and rule of the stack must keep, checked over
// the whole synthesized template, so a resource added later cannot quietly break one.
const { resources } = synthesize();

const queues = resourcesOfType(resources, 'AWS::SQS::Queue');
const mappings = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping');
const rules = resourcesOfType(resources, 'AWS::Events::Rule');

const parking = parkingQueueIds(resources);
const workQueues = queues.filter(([id]) => !parking.has(id));
const consumedQueueMappings = mappings.filter(([, mapping]) => {
  const source = referencedId(mapping.Properties.EventSourceArn);
  return source !== undefined && resources[source]?.Type === 'AWS::SQS::Queue';
});

describe('stack invariants', () => {
  it('has queues of both kinds to check', () => {
    // Assess: a broken filter would make every check below vacuous.
    expect(workQueues.length).toBeGreaterThan(10);
    expect(parking.size).toBeGreaterThan(10);
    expect(consumedQueueMappings.length).toBeGreaterThanOrEqual(1);
    expect(rules.length).toBeGreaterThan(10);
  });

  it.each(workQueues.map(([id, queue]) => [id, queue] as const))(
    'work queue %s has a dead-letter queue after at least 5 receives',
    (_id, queue) => {
      // Act
      const redrive = queue.Properties.RedrivePolicy as
        { deadLetterTargetArn?: unknown; maxReceiveCount?: number } | undefined;

      // Assess
      expect(referencedId(redrive?.deadLetterTargetArn)).toBeDefined();
      expect(redrive?.maxReceiveCount).toBeGreaterThanOrEqual(5);
    },
  );

  it.each([...parking].map((id) => [id, resources[id]!] as const))(
    'parking queue %s is a queue that keeps messages 14 days and parks nowhere further',
    (_id, queue) => {
      // Assess
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
      expect(queue.Properties.RedrivePolicy).toBeUndefined();
    },
  );

  it.each(consumedQueueMappings.map(([id, mapping]) => [id, mapping] as const))(
    'queue consumed by %s hides a message at least 6 times its consumer’s timeout',
    (_id, mapping) => {
      // Prepare
      const queue = resources[referencedId(mapping.Properties.EventSourceArn)!]!;
      const consumer = resources[referencedId(mapping.Properties.FunctionName)!]!;

      // Act: CloudFormation's defaults are 30 s visibility and a 3 s function timeout.
      const visibility = (queue.Properties.VisibilityTimeout as number | undefined) ?? 30;
      const timeout = (consumer.Properties.Timeout as number | undefined) ?? 3;

      // Assess
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    },
  );

  it.each(mappings.map(([id, mapping]) => [id, mapping] as const))(
    'event source mapping %s reports batch item failures and filters out nothing but what is not the outbox',
    (_id, mapping) => {
      // Assess: a queue's filtered messages are deleted unseen, so a queue mapping filters
      // nothing; the table's stream lets through exactly the outbox's items.
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const fromQueue = consumedQueueMappings.some(([, consumed]) => consumed === mapping);
      expect(mapping.Properties.FilterCriteria).toEqual(
        fromQueue ? undefined : { Filters: [{ Pattern: JSON.stringify(outboxStreamPattern) }] },
      );
    },
  );

  it.each(
    rules.flatMap(([ruleId, rule]) =>
      targetsOf(rule).map((target) => [`${ruleId}/${target.Id}`, target] as const),
    ),
  )('rule target %s has a dead-letter queue and an explicit retry policy', (_id, target) => {
    // Assess
    expect(parking.has(referencedId(target.DeadLetterConfig?.Arn) ?? '')).toBe(true);
    expect(target.RetryPolicy?.MaximumRetryAttempts).toBeTypeOf('number');
    expect(target.RetryPolicy?.MaximumEventAgeInSeconds).toBeTypeOf('number');
  });
});
