import { describe, expect, it } from 'vitest';
import { toEventDetail, type Referral } from '#shared/domain/referral.ts';
import { eventsForInsertedItem } from '#shared/services/publish.ts';
import {
  personalValuesOf,
  referralFromExample,
  referralItem,
  routedReferral,
} from '#test/unit/functions/builders.ts';

const admitId = '0b7f4c5e-3c1a-4d59-9a43-2f6d1c1e5a01';
const threatenedId = '5a2e8a1d-8f0b-4c3e-b7a4-9c5d6e7f8a02';

const received = () => referralFromExample('admit-friday-night.json', admitId);
const routed = () =>
  routedReferral(received(), 'somerset-turning-point-admit', {
    kind: 'provider',
    providerId: 'turning-point-admit',
  });

/** A transition item as the store writes it: its audit record and the outbox entry of its event. */
const transitionItem = (
  before: Referral,
  after: Referral,
  extra: Record<string, unknown> = {},
) => ({
  PK: `REFERRAL#${after.referralId}`,
  SK: `TRANSITION#${after.updatedAt}#${after.status}`,
  entity: 'transition',
  referralId: after.referralId,
  from: before.status,
  to: after.status,
  at: after.updatedAt,
  actor: { kind: 'system', id: 'route:somerset-turning-point-admit' },
  event: toEventDetail(after),
  ...extra,
});

describe('eventsForInsertedItem: the outbox rule', () => {
  it('makes one referral.received of a new referral item, carrying no personal data', () => {
    // Prepare
    const item = referralItem(received());

    // Act
    const events = eventsForInsertedItem(item);

    // Assess
    expect(events.map((event) => event.detailType)).toEqual(['referral.received']);
    const [{ detail }] = events as unknown as [{ detail: Record<string, unknown> }];
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
      expect(JSON.stringify(events)).not.toContain(personal);
    }
  });

  it('makes referral.received and referral.escalated, in that order, for a threatened weapon', () => {
    // Prepare
    const item = referralItem(referralFromExample('weapons-threatened-bristol.json', threatenedId));

    // Act
    const events = eventsForInsertedItem(item);

    // Assess
    expect(events.map((event) => event.detailType)).toEqual([
      'referral.received',
      'referral.escalated',
    ]);
    for (const { detail } of events) {
      expect(detail).toMatchObject({
        referralId: threatenedId,
        flags: { immediateEscalation: true },
      });
    }
    for (const personal of personalValuesOf('weapons-threatened-bristol.json')) {
      expect(JSON.stringify(events)).not.toContain(personal);
    }
  });

  it('refuses a referral item whose attributes would not make a valid event', () => {
    // Prepare
    const item = { ...referralItem(received()), referralId: 'not-a-uuid' };

    // Act
    const making = () => eventsForInsertedItem(item);

    // Assess
    expect(making).toThrow();
  });

  it.each([
    { to: 'routed', detailType: 'referral.routed' },
    { to: 'accepted', detailType: 'referral.accepted' },
  ] as const)(
    'makes $detailType of a transition to $to, with the event recorded',
    ({ to, detailType }) => {
      // Prepare
      const [before, after] =
        to === 'routed'
          ? [received(), routed()]
          : [
              routed(),
              { ...routed(), status: 'accepted' as const, updatedAt: '2026-11-20T23:00:00.000Z' },
            ];
      const item = transitionItem(before, after);

      // Act
      const events = eventsForInsertedItem(item);

      // Assess
      expect(events).toEqual([{ detailType, detail: item.event }]);
    },
  );

  it('makes the event a transition names instead of its status: referral.overdue of a missed deadline', () => {
    // Prepare: as the SLA sweep's store records a missed deadline (the status does not change).
    const referral = routed();
    const item = transitionItem(referral, referral, {
      eventType: 'referral.overdue',
      event: {
        ...toEventDetail(referral),
        occurredAt: '2026-11-21T00:05:00.000Z',
        overdue: 'accept',
      },
    });

    // Act
    const events = eventsForInsertedItem(item);

    // Assess
    expect(events).toEqual([
      {
        detailType: 'referral.overdue',
        detail: expect.objectContaining({
          referralId: admitId,
          status: 'routed',
          providerId: 'turning-point-admit',
          overdue: 'accept',
          occurredAt: '2026-11-21T00:05:00.000Z',
        }) as unknown,
      },
    ]);
  });

  it('refuses a transition naming an event the catalogue does not have', () => {
    // Prepare
    const item = transitionItem(routed(), routed(), { eventType: 'referral.forgotten' });

    // Act
    const making = () => eventsForInsertedItem(item);

    // Assess
    expect(making).toThrow(/"eventType"/);
  });

  it.each([
    { PK: 'IDEMPOTENCY#abc', SK: 'IDEMPOTENCY', entity: 'idempotency-key' },
    { PK: `AUDIT#${admitId}`, SK: '2026-11-20T23:00:00.000Z#0', entity: 'audit-read' },
    { PK: 'PROVIDER#turning-point-admit', SK: 'CAPACITY', entity: 'capacity' },
    { PK: 'SOMETHING', SK: 'ELSE' },
  ])('makes nothing of any other item: $entity', (item) => {
    // Act
    const events = eventsForInsertedItem(item);

    // Assess
    expect(events).toEqual([]);
  });
});
