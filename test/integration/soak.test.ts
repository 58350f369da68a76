import { describe, expect, it } from 'vitest';
import { formatLedger, runSoak, type SoakResult } from '#test/soak/soak.ts';

// The short soak: the long one (`npm run soak`, 10,000 referrals at 1%) with 300 referrals and
// each kind of fault three times as often, so that every kind strikes in a run this short.

describe('the soak: referrals under injected faults and a crash', () => {
  it('stores every accepted referral once, in exactly its destination, and loses none', async () => {
    // Prepare
    const referrals = 300;

    // Act
    const { ledger, violations }: SoakResult = await runSoak({
      referrals,
      seed: 20261123,
      faultRate: 0.03,
      concurrency: 12,
    });
    console.log(formatLedger(ledger));

    // Assess: every fault struck...
    expect(ledger.faults.dynamoDbThrottles + ledger.faults.dynamoDbLostAnswers).toBeGreaterThan(0);
    expect(ledger.faults.putEventsEntriesRefused).toBeGreaterThan(0);
    expect(ledger.faults.sqsSendsFailed).toBeGreaterThan(0);
    expect(ledger.faults.crashes).toBe(1);
    expect(ledger.faults.invocationsKilled).toBeGreaterThan(0);
    // ...and nothing was lost, doubled or left behind.
    expect(violations).toEqual([]);
    expect(ledger.accepted).toBe(referrals);
    expect(ledger.delivered).toBe(referrals);
    expect(ledger.parked).toBe(0);
    expect(ledger.inFlight).toBe(0);
    expect(ledger.stored).toBe(referrals);
    expect(ledger.hubReferred).toBe(referrals);
    expect(ledger.refused).toBeGreaterThan(0);
    expect(ledger.poison.parked).toBe(ledger.poison.injected);
  }, 600_000);
});
