import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordOverdue } from '#shared/domain/transition.ts';
import { Referrals } from '#shared/table/referrals.ts';
import { toEventDetail, type Referral } from '#shared/domain/referral.ts';
import {
  captureOutput,
  lambdaContext,
  partnershipId,
  personalValuesOf,
  referralFromExample,
  referralItem,
  routedReferral,
  streamRecord,
  tableName,
} from './builders.ts';

const busName = 'reachable-test-bus';

vi.stubEnv('EVENT_BUS_NAME', busName);
vi.stubEnv('PARTNERSHIP', partnershipId);
const eventBridge = mockClient(EventBridgeClient);
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/publish/handler.ts');

const context = lambdaContext('reachable-publish');
const admitId = '0b7f4c5e-3c1a-4d59-9a43-2f6d1c1e5a01';
const threatenedId = '5a2e8a1d-8f0b-4c3e-b7a4-9c5d6e7f8a02';
const laterId = '7c3d9e2f-1a4b-4c5d-8e6f-0a1b2c3d4e03';

/** EventBridge accepting every entry, with an id per entry. */
const acceptAll = (input: PutEventsCommandInput): PutEventsCommandOutput => ({
  $metadata: {},
  FailedEntryCount: 0,
  Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `event-${index}` })),
});

const streamEvent = (...records: DynamoDBStreamEvent['Records']): DynamoDBStreamEvent => ({
  Records: records,
});

/** The entries of every PutEvents call, in order. */
const putEntries = () =>
  eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);

function transitionItem(before: Referral, after: Referral) {
  return {
    PK: `REFERRAL#${after.referralId}`,
    SK: `TRANSITION#${after.updatedAt}#${after.status}`,
    entity: 'transition',
    referralId: after.referralId,
    from: before.status,
    to: after.status,
    at: after.updatedAt,
    actor: { kind: 'system', id: 'route:somerset-turning-point-admit' },
    event: toEventDetail(after),
  };
}

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake(acceptAll);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
});

describe('publish: new referral items', () => {
  it('puts one referral.received event carrying no personal data', async () => {
    // Prepare
    const referral = referralFromExample('admit-friday-night.json', admitId);
    const event = streamEvent(
      streamRecord({ eventName: 'INSERT', item: referralItem(referral), sequenceNumber: '100' }),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const calls = putEntries();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    const entry = calls[0]![0]!;
    expect(entry).toMatchObject({
      EventBusName: busName,
      Source: `reachable.${partnershipId}`,
      DetailType: 'referral.received',
    });
    const detail = JSON.parse(entry.Detail!) as Record<string, unknown>;
    expect(detail).toMatchObject({
      referralId: admitId,
      spoke: 'somerset',
      pathway: 'admit',
      status: 'received',
      referrerOrganisationId: 'musgrove-park-hospital-ae',
    });
    for (const field of ['personal', 'subject', 'referrer', 'summary', 'expiresAt', 'PK']) {
      expect(detail).not.toHaveProperty(field);
    }
    for (const personal of personalValuesOf('admit-friday-night.json')) {
      expect(entry.Detail).not.toContain(personal);
    }
  });

  it('puts referral.received and referral.escalated together in one request for a threatened weapon', async () => {
    // Prepare
    const referral = referralFromExample('weapons-threatened-bristol.json', threatenedId);
    const event = streamEvent(
      streamRecord({ eventName: 'INSERT', item: referralItem(referral), sequenceNumber: '200' }),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const calls = putEntries();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((entry) => entry.DetailType)).toEqual([
      'referral.received',
      'referral.escalated',
    ]);
    for (const entry of calls[0]!) {
      const detail = JSON.parse(entry.Detail!) as { referralId: string; flags: object };
      expect(detail.referralId).toBe(threatenedId);
      expect(detail.flags).toMatchObject({ immediateEscalation: true });
      for (const personal of personalValuesOf('weapons-threatened-bristol.json')) {
        expect(entry.Detail).not.toContain(personal);
      }
    }
  });

  it('logs what it published and none of the personal data', async () => {
    // Prepare
    const referral = referralFromExample('admit-friday-night.json', admitId);
    const event = streamEvent(
      streamRecord({ eventName: 'INSERT', item: referralItem(referral), sequenceNumber: '101' }),
    );

    // Act
    await handler(event, context);

    // Assess
    const logged = output.text();
    expect(logged).toContain('Published');
    expect(logged).toContain(admitId);
    for (const personal of personalValuesOf('admit-friday-night.json')) {
      expect(logged).not.toContain(personal);
    }
  });
});

describe('publish: records that are not new items', () => {
  it.each(['MODIFY', 'REMOVE'] as const)('ignores %s records', async (eventName) => {
    // Prepare
    const referral = routedReferral(
      referralFromExample('admit-friday-night.json', admitId),
      'somerset-turning-point-admit',
      { kind: 'provider', providerId: 'turning-point-admit' },
    );
    const event = streamEvent(
      streamRecord({ eventName, item: referralItem(referral), sequenceNumber: '300' }),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it.each([
    { PK: 'IDEMPOTENCY#abc', SK: 'IDEMPOTENCY', entity: 'idempotency-key' },
    {
      PK: `AUDIT#${admitId}`,
      SK: '2026-11-20T23:00:00.000Z#0',
      entity: 'audit-read',
      referralId: admitId,
      action: 'referral.read',
    },
  ])(
    'publishes nothing for a new item that is neither a referral nor a transition: $entity',
    async (item) => {
      // Prepare
      const event = streamEvent(streamRecord({ eventName: 'INSERT', item, sequenceNumber: '301' }));

      // Act
      const result = await handler(event, context);

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      expect(eventBridge.calls()).toHaveLength(0);
    },
  );
});

describe('publish: new transition items', () => {
  it.each([
    { to: 'routed', detailType: 'referral.routed' },
    { to: 'accepted', detailType: 'referral.accepted' },
  ] as const)('puts $detailType for a transition to $to', async ({ to, detailType }) => {
    // Prepare
    const received = referralFromExample('admit-friday-night.json', admitId);
    const routed = routedReferral(received, 'somerset-turning-point-admit', {
      kind: 'provider',
      providerId: 'turning-point-admit',
    });
    const [before, after] =
      to === 'routed'
        ? [received, routed]
        : [
            routed,
            { ...routed, status: 'accepted' as const, updatedAt: '2026-11-20T23:00:00.000Z' },
          ];
    const item = transitionItem(before, after);
    const event = streamEvent(streamRecord({ eventName: 'INSERT', item, sequenceNumber: '400' }));

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const calls = putEntries();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    expect(calls[0]![0]).toMatchObject({ DetailType: detailType, EventBusName: busName });
    expect(JSON.parse(calls[0]![0]!.Detail!)).toEqual(item.event);
  });
});

describe('publish: failures', () => {
  it('reports only the record whose event EventBridge kept refusing, re-putting only the refused entry, and publishes the others', async () => {
    // Prepare
    const admit = referralFromExample('admit-friday-night.json', admitId);
    const threatened = referralFromExample('weapons-threatened-bristol.json', threatenedId);
    const later = referralFromExample('admit-friday-night.json', laterId);
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      const entries = (input.Entries ?? []).map((entry, index) =>
        entry.DetailType === 'referral.escalated'
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Try again' }
          : { EventId: `event-${index}` },
      );
      return {
        $metadata: {},
        FailedEntryCount: entries.filter((entry) => entry.ErrorCode).length,
        Entries: entries,
      } satisfies PutEventsCommandOutput;
    });
    const event = streamEvent(
      streamRecord({ eventName: 'INSERT', item: referralItem(admit), sequenceNumber: '500' }),
      streamRecord({ eventName: 'INSERT', item: referralItem(threatened), sequenceNumber: '501' }),
      streamRecord({ eventName: 'INSERT', item: referralItem(later), sequenceNumber: '502' }),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '501' }] });
    const put = putEntries().map((entries) =>
      entries.map((entry) => {
        const { referralId } = JSON.parse(entry.Detail!) as { referralId: string };
        return `${entry.DetailType} ${referralId}`;
      }),
    );
    // The threatened referral's received event went once; only its refused escalation was put
    // again (three requests in all), and the records around it were published once each.
    expect(put).toEqual([
      [`referral.received ${admitId}`],
      [`referral.received ${threatenedId}`, `referral.escalated ${threatenedId}`],
      [`referral.escalated ${threatenedId}`],
      [`referral.escalated ${threatenedId}`],
      [`referral.received ${laterId}`],
    ]);
  });

  it('reports a record whose PutEvents request failed outright, and publishes the others', async () => {
    // Prepare
    const admit = referralFromExample('admit-friday-night.json', admitId);
    const threatened = referralFromExample('weapons-threatened-bristol.json', threatenedId);
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      if (input.Entries?.some((entry) => entry.Detail?.includes(admitId))) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return acceptAll(input);
    });
    const event = streamEvent(
      streamRecord({ eventName: 'INSERT', item: referralItem(admit), sequenceNumber: '600' }),
      streamRecord({ eventName: 'INSERT', item: referralItem(threatened), sequenceNumber: '601' }),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '600' }] });
    expect(putEntries()).toHaveLength(2);
  });

  it('reports a referral item whose attributes would not make a valid event, and publishes nothing for it', async () => {
    // Prepare
    const admit = referralFromExample('admit-friday-night.json', admitId);
    const broken = { ...referralItem(admit), referralId: 'not-a-uuid', PK: 'REFERRAL#broken' };
    const event = streamEvent(
      streamRecord({ eventName: 'INSERT', item: referralItem(admit), sequenceNumber: '700' }),
      streamRecord({ eventName: 'INSERT', item: broken, sequenceNumber: '701' }),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '701' }] });
    expect(putEntries()).toHaveLength(1);
  });
});

describe('publish: overdue flags', () => {
  /** The transition item the SLA sweep's store writes when it flags a missed deadline. */
  async function overdueItem(kind: 'accept' | 'first-contact') {
    documents.on(TransactWriteCommand).resolves({});
    const referral: Referral = {
      ...routedReferral(
        referralFromExample('admit-friday-night.json', admitId),
        'somerset-turning-point-admit',
        {
          kind: 'provider',
          providerId: 'turning-point-admit',
        },
      ),
      deadlines: {
        acceptBy: '2026-11-21T00:00:00.000Z',
        firstContactBy: '2026-11-21T00:00:00.000Z',
      },
    };
    const store = new Referrals({
      tableName,
      client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    });
    await store.flagOverdue(recordOverdue(referral, kind, new Date('2026-11-21T00:05:00.000Z')));
    const put = documents.commandCalls(TransactWriteCommand).at(-1)!.args[0].input
      .TransactItems?.[1]?.Put;
    return put!.Item!;
  }

  it.each(['accept', 'first-contact'] as const)(
    'puts referral.overdue, naming the missed %s deadline, for the item the sweep records',
    async (kind) => {
      // Prepare
      const item = await overdueItem(kind);
      const event = streamEvent(streamRecord({ eventName: 'INSERT', item, sequenceNumber: '800' }));

      // Act
      const result = await handler(event, context);

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      const calls = putEntries();
      expect(calls).toHaveLength(1);
      expect(calls[0]).toHaveLength(1);
      const entry = calls[0]![0]!;
      expect(entry).toMatchObject({ DetailType: 'referral.overdue', EventBusName: busName });
      expect(JSON.parse(entry.Detail!)).toMatchObject({
        referralId: admitId,
        status: 'routed',
        providerId: 'turning-point-admit',
        overdue: kind,
        occurredAt: '2026-11-21T00:05:00.000Z',
      });
      for (const personal of personalValuesOf('admit-friday-night.json')) {
        expect(entry.Detail).not.toContain(personal);
      }
    },
  );

  it('reports a transition item naming an event the catalogue does not have, and publishes nothing for it', async () => {
    // Prepare
    const item = { ...(await overdueItem('accept')), eventType: 'referral.forgotten' };
    const good = await overdueItem('first-contact');
    const event = streamEvent(
      streamRecord({ eventName: 'INSERT', item, sequenceNumber: '801' }),
      streamRecord({ eventName: 'INSERT', item: good, sequenceNumber: '802' }),
    );

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '801' }] });
    const calls = putEntries();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((entry) => entry.DetailType)).toEqual(['referral.overdue']);
  });
});
