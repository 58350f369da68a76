import { describe, expect, it } from 'vitest';
import { recordOverdue, recordTransition } from '#shared/domain/transition.ts';
import { referralFromExample, routedReferral } from '#test/unit/functions/builders.ts';

const referralId = '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const provider = 'turning-point-admit';
const at = new Date('2026-11-20T23:10:00.000Z');
const routed = () =>
  routedReferral(
    referralFromExample('admit-friday-night.json', referralId),
    `somerset-${provider}`,
    {
      kind: 'provider',
      providerId: provider,
    },
  );

describe('recordTransition', () => {
  it('gives the referral after the change, the fields it sets, and its audit record with the event of the referral after it', () => {
    // Prepare
    const before = routed();

    // Act
    const recorded = recordTransition(before, {
      to: 'declined',
      at,
      actor: { kind: 'provider', id: provider, subject: 'user-1' },
      why: 'decline: no-capacity',
      changes: { decline: { reason: 'no-capacity', details: 'Full until March' } },
    });

    // Assess
    expect(recorded.before).toBe(before);
    expect(recorded.changes).toEqual({
      decline: { reason: 'no-capacity', details: 'Full until March' },
    });
    expect(recorded.after).toMatchObject({
      status: 'declined',
      updatedAt: at.toISOString(),
      decline: { reason: 'no-capacity', details: 'Full until March' },
    });
    expect(recorded.record).toMatchObject({
      referralId,
      from: 'routed',
      to: 'declined',
      at: at.toISOString(),
      actor: { kind: 'provider', id: provider, subject: 'user-1' },
      why: 'decline: no-capacity',
      event: { status: 'declined', occurredAt: at.toISOString(), declineReason: 'no-capacity' },
    });
    expect(recorded.record).not.toHaveProperty('eventType');
    // Free text never reaches the event or the audit record.
    expect(JSON.stringify(recorded.record)).not.toContain('Full until March');
  });

  it('writes no reason when the change gives none', () => {
    const recorded = recordTransition(routed(), {
      to: 'withdrawn',
      at,
      actor: { kind: 'referrer', id: 'musgrove-park-hospital-ae' },
    });
    expect(recorded.record).not.toHaveProperty('why');
    expect(recorded.changes).toEqual({});
  });
});

describe('recordOverdue', () => {
  it('flags the deadline on the referral, keeps its status and updatedAt, and names its event referral.overdue', () => {
    // Prepare
    const before = { ...routed(), overdue: { accept: '2026-11-20T23:00:00.000Z' } };

    // Act
    const recorded = recordOverdue(before, 'first-contact', at);

    // Assess
    expect(recorded.after.overdue).toEqual({
      accept: '2026-11-20T23:00:00.000Z',
      'first-contact': at.toISOString(),
    });
    expect(recorded.after.updatedAt).toBe(before.updatedAt);
    expect(recorded.kind).toBe('first-contact');
    expect(recorded.record).toMatchObject({
      from: 'routed',
      to: 'routed',
      at: at.toISOString(),
      actor: { kind: 'system', id: 'sla-sweep' },
      why: 'overdue: first-contact',
      eventType: 'referral.overdue',
      event: { occurredAt: at.toISOString(), overdue: 'first-contact', status: 'routed' },
    });
  });
});
