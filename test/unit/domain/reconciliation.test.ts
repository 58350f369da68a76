import { describe, expect, it } from 'vitest';
import { discrepancyOf, reportOf, type Discrepancy } from '#shared/domain/reconciliation.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { referralFromExample, routedReferral } from '#test/unit/functions/builders.ts';

const receivedAt = new Date('2026-11-20T10:00:00.000Z');
const rules = { notRoutedAfterMinutes: 15 };
const minutesAfter = (minutes: number) => new Date(receivedAt.getTime() + minutes * 60_000);

const received = (): Referral =>
  referralFromExample('sos-exploitation-north-somerset.json', 'r-received', receivedAt);

/** Routed to a provider, with an acceptance deadline an hour after receipt. */
const routedToProvider = (): Referral => ({
  ...routedReferral(
    referralFromExample('sos-exploitation-north-somerset.json', 'r-routed', receivedAt),
    'north-somerset-sos',
    { kind: 'provider', providerId: 'st-giles-sos' },
  ),
  deadlines: {
    acceptBy: minutesAfter(60).toISOString(),
    firstContactBy: minutesAfter(120).toISOString(),
  },
});

describe('discrepancyOf', () => {
  it('finds a referral still not routed once the minutes allowed have passed, not before', () => {
    // Act
    const early = discrepancyOf(received(), minutesAfter(14), rules);
    const late = discrepancyOf(received(), minutesAfter(15), rules);

    // Assess
    expect(early).toBeUndefined();
    expect(late).toEqual({
      kind: 'not-routed',
      referralId: 'r-received',
      spoke: 'north-somerset',
      pathway: 'sos-mentoring',
      since: receivedAt.toISOString(),
    });
  });

  it('finds a referral routed to a provider and never pulled, once its acceptance deadline passes', () => {
    // Act
    const before = discrepancyOf(routedToProvider(), minutesAfter(59), rules);
    const after = discrepancyOf(routedToProvider(), minutesAfter(60), rules);

    // Assess
    expect(before).toBeUndefined();
    expect(after).toEqual({
      kind: 'not-pulled',
      referralId: 'r-routed',
      spoke: 'north-somerset',
      pathway: 'sos-mentoring',
      providerId: 'st-giles-sos',
      since: minutesAfter(60).toISOString(),
    });
  });

  it.each<[string, (referral: Referral) => Referral]>([
    [
      'pulled (leased) by its provider',
      (r) => ({
        ...r,
        lease: {
          providerId: 'st-giles-sos',
          receiptHandle: 'h',
          expiresAt: minutesAfter(30).toISOString(),
        },
      }),
    ],
    ['accepted', (r) => ({ ...r, status: 'accepted' })],
    ['withdrawn', (r) => ({ ...r, status: 'withdrawn' })],
    ['waiting in triage', (r) => ({ ...r, providerId: undefined })],
    ['without deadlines', (r) => ({ ...r, deadlines: undefined })],
  ])('leaves alone a routed referral %s', (_case, change) => {
    // Act
    const found = discrepancyOf(change(routedToProvider()), minutesAfter(24 * 60), rules);

    // Assess
    expect(found).toBeUndefined();
  });
});

describe('reportOf', () => {
  it('counts by kind, spoke and provider, and names no referral', () => {
    // Prepare
    const found: Discrepancy[] = [
      { kind: 'not-routed', referralId: 'a', spoke: 'bristol', pathway: 'admit', since: 'x' },
      { kind: 'not-routed', referralId: 'b', spoke: 'somerset', pathway: 'admit', since: 'x' },
      {
        kind: 'not-pulled',
        referralId: 'c',
        spoke: 'somerset',
        pathway: 'admit',
        providerId: 'turning-point-admit',
        since: 'x',
      },
    ];

    // Act
    const report = reportOf(found, { at: receivedAt, notRoutedAfterMinutes: 15, lookbackDays: 30 });

    // Assess
    expect(report).toEqual({
      checkedAt: receivedAt.toISOString(),
      notRoutedAfterMinutes: 15,
      lookbackDays: 30,
      counts: { 'not-routed': 2, 'not-pulled': 1 },
      bySpoke: {
        bristol: { 'not-routed': 1, 'not-pulled': 0 },
        somerset: { 'not-routed': 1, 'not-pulled': 1 },
      },
      byProvider: { 'turning-point-admit': 1 },
    });
    expect(JSON.stringify(report)).not.toMatch(/"[abc]"/);
  });
});
