import { describe, expect, it } from 'vitest';
import { checkSubmission } from '#shared/domain/intake.ts';
import { nextStatus } from '#shared/domain/lifecycle.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { monthOf } from '#shared/domain/hub-metrics.ts';
import {
  countBy,
  planDemo,
  type DemoPlan,
  type PlannedReferral,
  type ReferralAction,
} from '#local/demo-plan.ts';
import type { ReferralStatus } from '#events/vocabulary.ts';

// A whole calendar year (2026, London), so yearly volumes can be compared with DOMAIN.md's.
const endOf2026 = new Date('2026-12-31T23:59:00Z');
const year = planDemo({ seed: 1, scale: 1, months: 12, now: endOf2026 });

const referralActions = (plan: DemoPlan) =>
  plan.actions.filter((action): action is ReferralAction => action.kind !== 'capacity');

function actionsByReferral(plan: DemoPlan): Map<number, ReferralAction[]> {
  const byRef = new Map<number, ReferralAction[]>();
  for (const action of referralActions(plan)) {
    byRef.set(action.ref, [...(byRef.get(action.ref) ?? []), action]);
  }
  return byRef;
}

/** Why a referral's calls are not a life the lifecycle allows, or undefined when they are. */
function lifecycleProblem(
  referral: PlannedReferral,
  actions: readonly ReferralAction[],
): string | undefined {
  const [first, ...rest] = actions;
  if (first?.kind !== 'submit') return 'the first call is not the submission';
  // Routing is the system's step, right after intake.
  let status: ReferralStatus | undefined = nextStatus('received', 'route');
  let holder = referral.destination.kind === 'provider' ? referral.destination.providerId : '';
  for (const action of rest) {
    if (action.kind === 'submit') return 'submitted twice';
    if (action.kind === 'withdraw') {
      if (action.organisationId !== referral.organisationId) return 'withdrawn by someone else';
    } else if (action.providerId !== holder) {
      return `${action.kind} by ${action.providerId}, which does not hold it`;
    }
    const from: ReferralStatus = status ?? 'received';
    status = nextStatus(from, action.kind);
    if (!status) return `${action.kind} is not allowed from ${from}`;
    if (action.kind === 'reroute') holder = action.toProviderId;
  }
  return undefined;
}

describe('the demo plan', () => {
  it('gives each spoke its DOMAIN.md share of targeted interventions, at the yearly rate', () => {
    // Prepare: Q1-Q3 2020/21 (000:1080-1087)
    const threeQuarters = {
      'bath-ne-somerset': 93,
      bristol: 229,
      'north-somerset': 80,
      somerset: 170,
      'south-gloucestershire': 25,
    };
    const documented = Object.values(threeQuarters).reduce((sum, n) => sum + n, 0);

    // Act
    const targeted = year.referrals.filter((r) => r.pathway === 'targeted-intervention');
    const perSpoke = countBy(targeted, (r) => r.spoke);

    // Assess
    expect(targeted.length).toBeGreaterThan(((documented * 4) / 3) * 0.95);
    expect(targeted.length).toBeLessThan(((documented * 4) / 3) * 1.05);
    for (const [spoke, count] of Object.entries(threeQuarters)) {
      const share = (perSpoke[spoke] ?? 0) / targeted.length;
      expect(share, spoke).toBeCloseTo(count / documented, 1);
      expect(Math.abs(share - count / documented), spoke).toBeLessThan(0.015);
    }
  });

  it('has referrals on every pathway the partnership runs, in every month', () => {
    // Act
    const pathways = new Set(year.referrals.map((r) => r.pathway));
    const months = countBy(year.referrals, (r) => monthOf(new Date(r.receivedAt).toISOString()));

    // Assess
    expect([...pathways].sort()).toEqual(avonAndSomerset.pathways.map((p) => p.id).sort());
    expect(Object.keys(months).sort()).toEqual(year.months);
    expect(year.months).toHaveLength(12);
    expect(year.months[0]).toBe('2026-01');
  });

  it('has about 60% of Project 28 referrals engage (000:1053-1070)', () => {
    // Prepare: a larger plan, so the share is not luck; the last weeks are still in progress.
    const plan = planDemo({ seed: 7, scale: 4, months: 12, now: endOf2026 });
    const settled = plan.referrals.filter(
      (r) =>
        r.pathway === 'drug-alcohol-young-people' &&
        r.receivedAt < plan.to - 8 * 7 * 24 * 60 * 60 * 1000,
    );

    // Act
    const share = settled.filter((r) => r.engaged).length / settled.length;

    // Assess
    expect(settled.length).toBeGreaterThan(150);
    expect(share).toBeGreaterThan(0.52);
    expect(share).toBeLessThan(0.68);
  });

  it('lists every call in time order, on whole minutes, between the start and now', () => {
    // Act
    const times = year.actions.map((action) => action.at);

    // Assess
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((at) => at % 60_000 === 0)).toBe(true);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(year.from);
    expect(Math.max(...times)).toBeLessThanOrEqual(year.to);
  });

  it('gives every referral a life the lifecycle allows, each step by whoever holds it', () => {
    // Prepare
    const byRef = actionsByReferral(year);

    // Act
    const problems = year.referrals.flatMap((referral) => {
      const problem = lifecycleProblem(referral, byRef.get(referral.ref) ?? []);
      return problem ? [`referral ${referral.ref} (${referral.pathway}): ${problem}`] : [];
    });

    // Assess
    expect(problems).toEqual([]);
  });

  it('tells a varied story: declines with reasons, reroutes, withdrawals, outcomes, open ones', () => {
    // Prepare
    const calls = referralActions(year);
    const byRef = actionsByReferral(year);

    // Act
    const kinds = countBy(calls, (action) => action.kind);
    const declines = countBy(
      calls.filter((a) => a.kind === 'decline'),
      (a) => (a.kind === 'decline' ? a.reason : ''),
    );
    const outcomes = countBy(
      calls.filter((a) => a.kind === 'close'),
      (a) => (a.kind === 'close' ? a.outcome : ''),
    );
    const firstAttempts = year.referrals.flatMap((r) => {
      const attempt = byRef.get(r.ref)?.find((a) => a.kind === 'attempt-contact');
      return attempt?.kind === 'attempt-contact' ? [attempt.result] : [];
    });
    const openAtProviders = year.referrals.filter((r) => {
      const last = byRef.get(r.ref)?.at(-1);
      return (
        r.destination.kind === 'provider' && last && !['close', 'withdraw'].includes(last.kind)
      );
    });

    // Assess
    expect(kinds.reroute).toBeGreaterThan(0);
    expect(kinds.withdraw).toBeGreaterThan(0);
    expect(declines['no-capacity']).toBeGreaterThan(0);
    expect(Object.keys(declines).length).toBeGreaterThan(2);
    expect(outcomes.completed).toBeGreaterThan(Math.max(...Object.values(outcomes)) - 1);
    expect(Object.keys(outcomes).length).toBeGreaterThan(3);
    expect(firstAttempts).toContain('no-answer');
    expect(firstAttempts.filter((r) => r === 'reached').length).toBeGreaterThan(
      firstAttempts.length / 2,
    );
    expect(openAtProviders.length).toBeGreaterThan(0);
  });

  it('keeps weapons in schools to term time and escalates the few used or threatened', () => {
    // Act
    const weapons = year.referrals.filter((r) => r.pathway === 'weapons-in-schools');
    const inAugust = weapons.filter((r) => new Date(r.receivedAt).getUTCMonth() === 7);
    const escalated = weapons.filter((r) => r.escalated);

    // Assess
    expect(inAugust).toEqual([]);
    expect(escalated.length).toBeGreaterThan(0);
    expect(escalated.length).toBeLessThan(weapons.length / 4);
    expect(escalated.every((r) => r.destination.kind === 'triage')).toBe(true);
  });

  it('states SOS capacity as a waiting list that comes and goes', () => {
    // Act
    const statements = year.actions.filter((action) => action.kind === 'capacity');

    // Assess
    expect(statements.length).toBeGreaterThan(2);
    expect(new Set(statements.map((s) => s.status)).has('waitlist')).toBe(true);
    expect(
      statements.every((s) => s.status === 'waitlist' || s.expectedWaitDays === undefined),
    ).toBe(true);
  });

  it('submits only valid, obviously synthetic referrals', () => {
    // Act
    const submissions = referralActions(year).flatMap((action) =>
      action.kind === 'submit' ? [action] : [],
    );
    const refused = submissions.filter(
      (action) => !checkSubmission(action.submission, new Date(action.at), avonAndSomerset).ok,
    );

    // Assess
    expect(refused).toEqual([]);
    for (const { submission } of submissions) {
      expect(['Example', 'Sample']).toContain(submission.subject.familyName);
      expect(submission.summary).toMatch(/^Synthetic demo referral\./);
      expect(submission.referrer.email).toMatch(/@example\.org$/);
    }
  });

  it('is the same plan for the same seed, and another for another seed', () => {
    // Act
    const again = planDemo({ seed: 1, scale: 1, months: 12, now: endOf2026 });
    const other = planDemo({ seed: 2, scale: 1, months: 12, now: endOf2026 });

    // Assess
    expect(again).toEqual(year);
    expect(other.actions).not.toEqual(year.actions);
  });

  it('scales down for a quick run and refuses a scale or months that cannot be', () => {
    // Act
    const small = planDemo({ seed: 1, scale: 0.05, months: 3, now: endOf2026 });

    // Assess
    expect(small.months).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(small.referrals.length).toBeGreaterThan(5);
    expect(small.referrals.length).toBeLessThan(30);
    expect(() => planDemo({ seed: 1, scale: 0, months: 3, now: endOf2026 })).toThrow(RangeError);
    expect(() => planDemo({ seed: 1, scale: 1, months: 0, now: endOf2026 })).toThrow(RangeError);
  });
});
