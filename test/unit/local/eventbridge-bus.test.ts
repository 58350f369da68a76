import { describe, expect, it } from 'vitest';
import { LocalEventBridge, entrySize, type LocalTarget } from '#local/eventbridge/bus.ts';

const queueArn = 'arn:aws:sqs:eu-west-2:000000000000:provider';
const deadLetterArn = 'arn:aws:sqs:eu-west-2:000000000000:provider-dlq';

/** A bus whose SQS sends are recorded, failing the first `failures` attempts. */
function busWithSends(failures = 0) {
  const sent: { queueArn: string; body: string }[] = [];
  let attempts = 0;
  const bus = new LocalEventBridge({
    account: '000000000000',
    region: 'eu-west-2',
    retryBaseDelayMs: 1,
    send: async (arn, body) => {
      attempts++;
      if (arn === queueArn && attempts <= failures) throw new Error('SQS unavailable');
      sent.push({ queueArn: arn, body });
    },
  });
  bus.addBus('reachable');
  return { bus, sent, attempts: () => attempts };
}

const target = (overrides: Partial<LocalTarget> = {}): LocalTarget => ({
  id: 'Target0',
  queueArn,
  deadLetterQueueArn: deadLetterArn,
  maximumRetryAttempts: 3,
  maximumEventAgeSeconds: 60,
  ...overrides,
});

const admitRule = (targets: LocalTarget[] = [target()]) => ({
  name: 'somerset-admit',
  busName: 'reachable',
  pattern: { source: ['reachable.test'], detail: { pathway: ['admit'] } },
  targets,
});

const entry = (detail: object, overrides = {}) => ({
  Source: 'reachable.test',
  DetailType: 'referral.received',
  Detail: JSON.stringify(detail),
  EventBusName: 'reachable',
  ...overrides,
});

describe('LocalEventBridge.putEvents', () => {
  it('wraps a matching entry in the EventBridge envelope and delivers it to the target queue', async () => {
    // Prepare
    const { bus, sent } = busWithSends();
    bus.addRule(admitRule());

    // Act
    const result = bus.putEvents([entry({ pathway: 'admit' }, { Resources: ['r1'] })]);
    await bus.drain();

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(sent).toHaveLength(1);
    const envelope = JSON.parse(sent[0]!.body) as Record<string, unknown>;
    expect(envelope).toMatchObject({
      version: '0',
      'detail-type': 'referral.received',
      source: 'reachable.test',
      account: '000000000000',
      region: 'eu-west-2',
      resources: ['r1'],
      detail: { pathway: 'admit' },
    });
    expect(envelope.id).toBe((result.Entries[0] as { EventId: string }).EventId);
    expect(envelope.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('answers per entry: good entries get an EventId, bad ones an error code, in request order', () => {
    // Prepare
    const { bus } = busWithSends();

    // Act
    const result = bus.putEvents([
      entry({ pathway: 'admit' }),
      { ...entry({}), Detail: '[1,2]' },
      { ...entry({}), Detail: '{not json' },
      { ...entry({}), Source: undefined },
      entry({}, { EventBusName: 'nope' }),
      entry({}, { EventBusName: 'arn:aws:events:eu-west-2:000000000000:event-bus/reachable' }),
    ]);

    // Assess
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'))).toEqual([
      'ok',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'ResourceNotFoundException',
      'ok',
    ]);
  });

  it('counts and lists events that match no rule instead of dropping them silently', () => {
    // Prepare
    const { bus, sent } = busWithSends();
    bus.addRule(admitRule());

    // Act
    const result = bus.putEvents([entry({ pathway: 'sos-mentoring' })]);

    // Assess
    expect(sent).toHaveLength(0);
    expect(bus.stats).toMatchObject({ accepted: 1, matched: 0, unmatched: 1 });
    expect(bus.recentUnmatched).toEqual([
      {
        id: (result.Entries[0] as { EventId: string }).EventId,
        source: 'reachable.test',
        detailType: 'referral.received',
      },
    ]);
  });

  it('retries a failing delivery and succeeds within the retry policy', async () => {
    // Prepare
    const { bus, sent, attempts } = busWithSends(2);
    bus.addRule(admitRule());

    // Act
    bus.putEvents([entry({ pathway: 'admit' })]);
    await bus.drain();

    // Assess
    expect(attempts()).toBe(3);
    expect(sent.map((s) => s.queueArn)).toEqual([queueArn]);
    expect(bus.stats).toMatchObject({ delivered: 1, deadLettered: 0 });
  });

  it("parks the event in the target's dead-letter queue once retries are exhausted", async () => {
    // Prepare
    const { bus, sent, attempts } = busWithSends(100);
    bus.addRule(admitRule([target({ maximumRetryAttempts: 2 })]));

    // Act
    bus.putEvents([entry({ pathway: 'admit' })]);
    await bus.drain();

    // Assess
    expect(attempts()).toBe(4); // the first try, two retries, then the dead-letter queue
    expect(sent.map((s) => s.queueArn)).toEqual([deadLetterArn]);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ detail: { pathway: 'admit' } });
    expect(bus.stats).toMatchObject({ delivered: 0, deadLettered: 1 });
  });

  it('sends only what InputPath selects, or what an InputTransformer builds', async () => {
    // Prepare
    const { bus, sent } = busWithSends();
    bus.addRule(
      admitRule([
        target({ id: 'path', inputPath: '$.detail' }),
        target({
          id: 'transformer',
          inputTransformer: {
            inputPathsMap: { pathway: '$.detail.pathway', age: '$.detail.ageYears' },
            inputTemplate:
              '{"text": "Pathway <pathway>", "age": <age>, "rule": "<aws.events.rule-name>"}',
          },
        }),
      ]),
    );

    // Act
    bus.putEvents([entry({ pathway: 'admit', ageYears: 16 })]);
    await bus.drain();

    // Assess
    const bodies = sent.map((s) => JSON.parse(s.body) as unknown);
    expect(bodies).toContainEqual({ pathway: 'admit', ageYears: 16 });
    expect(bodies).toContainEqual({ text: 'Pathway admit', age: 16, rule: 'somerset-admit' });
  });

  it('refuses a rule whose pattern EventBridge would reject, naming the rule', () => {
    // Prepare
    const { bus } = busWithSends();

    // Act
    const adding = () =>
      bus.addRule({
        ...admitRule(),
        name: 'broken-rule',
        pattern: { detail: { pathway: 'admit' } },
      });

    // Assess
    expect(adding).toThrow(/broken-rule/);
  });
});

describe('entrySize', () => {
  it('counts Time as 14 bytes and the rest as UTF-8 bytes, as EventBridge documents', () => {
    // Prepare
    const withTime = { Source: 'abc', DetailType: 'dé', Detail: '{}', Resources: ['r'], Time: 1 };

    // Act
    const size = entrySize(withTime);

    // Assess
    expect(size).toBe(14 + 3 + 3 + 2 + 1);
  });
});
