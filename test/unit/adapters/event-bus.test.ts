import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBus, PublishFailedError, type OutgoingEvent } from '#shared/adapters/event-bus.ts';

const eventBridge = mockClient(EventBridgeClient);
const busName = 'reachable-test-bus';
const source = 'reachable.avon-and-somerset';
const detail = { referralId: '0b7f4c5e-3c1a-4d59-9a43-2f6d1c1e5a01', spoke: 'bristol' };
const received: OutgoingEvent = { detailType: 'referral.received', detail };
const escalated: OutgoingEvent = { detailType: 'referral.escalated', detail };

const newBus = () =>
  new EventBus({ busName, source, client: new EventBridgeClient({}), retryDelayMs: 0 });

/** The detail types of each PutEvents request, in order. */
const requests = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .map((call) => (call.args[0].input.Entries ?? []).map((entry) => entry.DetailType));

/** EventBridge taking every entry except those of `refusedType`, which it throttles. */
const refusing =
  (refusedType: string, times = Infinity) =>
  (input: PutEventsCommandInput): PutEventsCommandOutput => {
    const entries = (input.Entries ?? []).map((entry, index) =>
      entry.DetailType === refusedType && times-- > 0
        ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }
        : { EventId: `id-${entry.DetailType}-${eventBridge.calls().length}-${index}` },
    );
    return {
      $metadata: {},
      FailedEntryCount: entries.filter((entry) => entry.ErrorCode).length,
      Entries: entries,
    };
  };

beforeEach(() => {
  eventBridge.reset();
});

describe('EventBus.publish', () => {
  it('puts every event of one record in one PutEvents request and returns their ids in order', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 0,
      Entries: [{ EventId: 'id-received' }, { EventId: 'id-escalated' }],
    });

    // Act
    const ids = await newBus().publish([received, escalated]);

    // Assess
    expect(ids).toEqual(['id-received', 'id-escalated']);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.Entries).toEqual([
      {
        EventBusName: busName,
        Source: source,
        DetailType: 'referral.received',
        Detail: JSON.stringify(detail),
      },
      {
        EventBusName: busName,
        Source: source,
        DetailType: 'referral.escalated',
        Detail: JSON.stringify(detail),
      },
    ]);
  });

  it('puts again only the entries EventBridge refused, and returns every id in order', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).callsFake(refusing('referral.escalated', 1));

    // Act
    const ids = await newBus().publish([received, escalated]);

    // Assess
    expect(requests()).toEqual([
      ['referral.received', 'referral.escalated'],
      ['referral.escalated'],
    ]);
    expect(ids).toEqual(['id-referral.received-1-0', 'id-referral.escalated-2-0']);
  });

  it('throws PublishFailedError naming the detail type still refused after the last attempt, and only that one', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).callsFake(refusing('referral.escalated'));

    // Act
    const publishing = newBus().publish([received, escalated]);

    // Assess
    const error = await publishing.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(PublishFailedError);
    expect((error as Error).name).toBe('PublishFailedError');
    expect((error as Error).message).toContain('referral.escalated: ThrottlingException');
    expect((error as Error).message).not.toContain('referral.received');
    // Three requests in all; the event EventBridge took was put once.
    expect(requests()).toEqual([
      ['referral.received', 'referral.escalated'],
      ['referral.escalated'],
      ['referral.escalated'],
    ]);
  });

  it('throws PublishFailedError when EventBridge answers without an entry per event', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });

    // Act
    const publishing = newBus().publish([received]);

    // Assess
    await expect(publishing).rejects.toThrow(PublishFailedError);
    await expect(publishing).rejects.toThrow('referral.received: no entry');
  });

  it('lets an error of the request itself through, so the record is retried', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    eventBridge.on(PutEventsCommand).rejects(throttled);

    // Act
    const publishing = newBus().publish([received]);

    // Assess
    await expect(publishing).rejects.toBe(throttled);
    expect(requests()).toHaveLength(1);
  });

  it('uses the shared EventBridge client when none is given', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
    const bus = new EventBus({ busName, source });

    // Act
    const ids = await bus.publish([received]);

    // Assess
    expect(ids).toEqual(['x']);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });
});
