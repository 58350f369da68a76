import { describe, expect, it } from 'vitest';
import { planSubmissions, seededRandom } from '#test/soak/plan.ts';

// The soak's plan is what the issue asks of it: the harness must not quietly send less.

describe('the soak plan', () => {
  it('sends every valid referral twice, about 5% three times, half of them with copies at once', () => {
    // Prepare
    const referrals = 10_000;

    // Act
    const valid = planSubmissions(referrals, seededRandom(7)).filter((s) => !s.defect);

    // Assess
    expect(valid).toHaveLength(referrals);
    expect(valid.every((s) => s.copies === 2 || s.copies === 3)).toBe(true);
    const thrice = valid.filter((s) => s.copies === 3).length / referrals;
    expect(thrice).toBeGreaterThan(0.04);
    expect(thrice).toBeLessThan(0.06);
    const concurrent = valid.filter((s) => s.concurrent).length / referrals;
    expect(concurrent).toBeGreaterThan(0.45);
    expect(concurrent).toBeLessThan(0.55);
    expect(new Set(valid.map((s) => s.deliveryId)).size).toBe(referrals);
    expect(new Set(valid.map((s) => s.channel))).toEqual(new Set(['webhook', 'api']));
  });

  it('adds 2% with each kind of defect, sent twice, and shuffles them in among the rest', () => {
    // Prepare
    const referrals = 1_000;

    // Act
    const plan = planSubmissions(referrals, seededRandom(7));

    // Assess
    const refused = plan.filter((s) => s.defect);
    expect(refused).toHaveLength(20);
    expect(new Set(refused.map((s) => s.defect))).toEqual(
      new Set(['invalid-body', 'bad-signature', 'other-organisation']),
    );
    expect(refused.every((s) => s.copies === 2)).toBe(true);
    expect(plan.findIndex((s) => s.defect)).toBeLessThan(plan.length - refused.length);
    expect(
      refused.filter((s) => s.defect === 'bad-signature').every((s) => s.channel === 'webhook'),
    ).toBe(true);
  });

  it('makes the same plan from the same seed, and another from another', () => {
    // Act
    const first = planSubmissions(50, seededRandom(1));
    const again = planSubmissions(50, seededRandom(1));
    const other = planSubmissions(50, seededRandom(2));

    // Assess
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });
});
