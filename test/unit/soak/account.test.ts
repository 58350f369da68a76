import { describe, expect, it } from 'vitest';
import { account, type Observed, type Outcome } from '#test/soak/account.ts';
import type { Submission } from '#test/soak/plan.ts';

// The soak's accounting must fail when something is lost, doubled or out of place: each case
// takes a clean end state and breaks one thing.

function submission(index: number, overrides: Partial<Submission> = {}): Submission {
  return {
    index,
    example: 'admit-friday-night.json',
    expectation: { destination: 'provider:turning-point-admit', escalated: false },
    organisationId: 'musgrove-park-hospital-ae',
    body: '{}',
    channel: 'webhook',
    deliveryId: `delivery-${index}`,
    copies: 2,
    concurrent: false,
    ...overrides,
  };
}

const escalatedTriage = {
  example: 'weapons-threatened-bristol.json',
  expectation: { destination: 'triage:bristol', escalated: true },
};

/** Three referrals accepted and where they belong, one submission refused, two poison parked. */
function cleanEnd(): Observed {
  const outcomes: Outcome[] = [
    {
      submission: submission(0),
      answers: [
        { status: 202, referralId: 'r0' },
        { status: 202, referralId: 'r0' },
      ],
    },
    {
      submission: submission(1),
      answers: [
        { status: 202, referralId: 'r1' },
        { status: 202, referralId: 'r1' },
      ],
    },
    {
      submission: submission(2, escalatedTriage),
      answers: [
        { status: 202, referralId: 'r2' },
        { status: 200, referralId: 'r2' },
      ],
    },
    {
      submission: submission(3, { defect: 'bad-signature' }),
      answers: [{ status: 401 }, { status: 401 }],
    },
  ];
  return {
    outcomes,
    table: {
      referrals: new Map([
        ['r0', 'provider:turning-point-admit'],
        ['r1', 'provider:turning-point-admit'],
        ['r2', 'triage:bristol'],
      ]),
      deliveryIds: new Set(['delivery-0', 'delivery-1', 'delivery-2']),
    },
    found: {
      primary: new Map([
        ['r0', new Map([['provider:turning-point-admit', 1]])],
        ['r1', new Map([['provider:turning-point-admit', 1]])],
        ['r2', new Map([['triage:bristol', 1]])],
      ]),
      escalation: new Map([['r2', 1]]),
      copies: { removedAtPull: 0, waitingInTriageOrEscalation: 0 },
    },
    parkedMessages: [
      { queue: 'HubProjectionDeadLetterQueue', messageId: 'p1', summary: '{}' },
      { queue: 'RoutingDecisionsDeadLetterQueue', messageId: 'p2', summary: '{}' },
    ],
    poisonIds: new Set(['p1', 'p2']),
    hubReferred: 3,
  };
}

describe('the soak ledger', () => {
  it('balances a clean end: everything accepted delivered, nothing in flight, nothing broken', () => {
    // Act
    const { ledger, violations } = account(cleanEnd());

    // Assess
    expect(violations).toEqual([]);
    expect(ledger).toMatchObject({
      accepted: 3,
      delivered: 3,
      parked: 0,
      inFlight: 0,
      deliveredTo: { provider: 2, triage: 1, escalation: 1 },
      poison: { injected: 2, parked: 2 },
    });
  });

  it('counts a referral in no queue as in flight', () => {
    // Prepare
    const end = cleanEnd();
    const primary = new Map(end.found.primary);
    primary.delete('r1');

    // Act
    const { ledger, violations } = account({ ...end, found: { ...end.found, primary } });

    // Assess
    expect(ledger).toMatchObject({ accepted: 3, delivered: 2, parked: 0, inFlight: 1 });
    expect(violations).toEqual(['1 accepted referrals are still in flight']);
  });

  it('counts a referral parked in a dead-letter queue as parked, and names the message', () => {
    // Prepare
    const end = cleanEnd();
    const primary = new Map(end.found.primary);
    primary.delete('r1');
    const parked = {
      queue: 'RouteTargetDeadLetterQueue',
      messageId: 'm9',
      referralId: 'r1',
      summary: '{"referralId":"r1"}',
    };

    // Act
    const { ledger, violations } = account({
      ...end,
      found: { ...end.found, primary },
      parkedMessages: [...end.parkedMessages, parked],
    });

    // Assess
    expect(ledger).toMatchObject({ delivered: 2, parked: 1, inFlight: 0 });
    expect(violations).toEqual([
      'RouteTargetDeadLetterQueue holds a message the soak did not poison: {"referralId":"r1"}',
    ]);
  });

  it('refuses a referral handed to its provider twice, or sitting in two destinations', () => {
    // Prepare
    const end = cleanEnd();
    const primary = new Map(end.found.primary);
    primary.set('r0', new Map([['provider:turning-point-admit', 2]]));
    primary.set(
      'r1',
      new Map([
        ['provider:turning-point-admit', 1],
        ['triage:somerset', 1],
      ]),
    );

    // Act
    const { violations } = account({ ...end, found: { ...end.found, primary } });

    // Assess
    expect(violations).toContain('r0 handed to provider:turning-point-admit 2 times');
    expect(violations).toContain(
      'r1 (admit-friday-night.json) is in provider:turning-point-admit and triage:somerset, not only provider:turning-point-admit',
    );
  });

  it('refuses two referrals from one submission, and a second referral stored from a copy', () => {
    // Prepare
    const end = cleanEnd();
    const outcomes = [...end.outcomes];
    outcomes[0] = {
      submission: submission(0),
      answers: [
        { status: 202, referralId: 'r0' },
        { status: 202, referralId: 'r0b' },
      ],
    };
    const referrals = new Map(end.table.referrals);
    referrals.set('orphan', 'provider:turning-point-admit');

    // Act
    const { violations } = account({ ...end, outcomes, table: { ...end.table, referrals } });

    // Assess
    expect(violations).toContain(
      'submission 0 (admit-friday-night.json, webhook) got 202, 202 for r0, r0b',
    );
    expect(violations).toContain('referral orphan stored, never accepted');
  });

  it('refuses anything left by a refused submission, and a refusal answered 2xx', () => {
    // Prepare
    const end = cleanEnd();
    const outcomes = [...end.outcomes];
    outcomes.push({
      submission: submission(4, { defect: 'invalid-body', channel: 'api' }),
      answers: [{ status: 400 }, { status: 202, referralId: 'r4' }],
    });

    // Act
    const { violations } = account({
      ...end,
      outcomes,
      table: { ...end.table, deliveryIds: new Set([...end.table.deliveryIds, 'delivery-3']) },
    });

    // Assess
    expect(violations).toContain(
      'submission 4 (admit-friday-night.json, api, invalid-body) was not refused every time: 400, 202',
    );
    expect(violations).toContain('refused submission 3 left a delivery record');
  });

  it('refuses poison not parked, an escalation missing, and a hub count that is off', () => {
    // Prepare
    const end = cleanEnd();

    // Act
    const { violations } = account({
      ...end,
      parkedMessages: end.parkedMessages.slice(1),
      found: { ...end.found, escalation: new Map() },
      hubReferred: 4,
    });

    // Assess
    expect(violations).toEqual([
      'poison message p1 not parked',
      'r2 (weapons-threatened-bristol.json) missing from the escalation queue',
      'the hub counts 4 referred, not 3',
    ]);
  });
});
