import { describe, expect, it } from 'vitest';
import { LocalEventBridge, type BusEvent } from '#local/eventbridge/bus.ts';

describe('LocalEventBridge.observe', () => {
  it('reports every event the bus accepts, matched or not, until it is stopped', () => {
    // Prepare
    const bus = new LocalEventBridge({
      account: '000000000000',
      region: 'eu-west-2',
      send: () => Promise.resolve(),
    });
    const seen: BusEvent[] = [];
    const stop = bus.observe((event) => seen.push(event));

    // Act
    bus.putEvents([
      { Source: 'test', DetailType: 'one', Detail: '{"a":1}' },
      { Source: 'test', DetailType: 'refused', Detail: 'not json' },
    ]);
    stop();
    bus.putEvents([{ Source: 'test', DetailType: 'two', Detail: '{}' }]);

    // Assess
    expect(seen.map((event) => [event['detail-type'], event.source, event.detail])).toEqual([
      ['one', 'test', { a: 1 }],
    ]);
  });
});
