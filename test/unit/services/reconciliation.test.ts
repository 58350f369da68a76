import { describe, expect, it } from 'vitest';
import type { ReconciliationReport } from '#shared/domain/reconciliation.ts';
import { partnershipById } from '#partnerships/index.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { maxIdsPerEvent, reconcile } from '#shared/services/reconciliation.ts';
import {
  InMemoryEventBus,
  InMemoryReferralStore,
  recordingLog,
  sealedReferral,
} from '#test/helpers/fakes.ts';
import {
  partnershipId,
  personalValuesOf,
  referralFromExample,
  routedReferral,
  testCipher,
} from '#test/unit/functions/builders.ts';

const now = new Date('2026-11-23T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const spokes = partnershipById(partnershipId).spokes.map((spoke) => spoke.id);
const settings = { notRoutedAfterMinutes: 15, lookbackDays: 30 };

/** A uuid-shaped id of its own for the n-th referral. */
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Stuck before routing: received `hours` ago, still `received`. */
const unrouted = (n: number, hours = 3) =>
  referralFromExample('weapons-possession-bristol.json', idOf(n), hoursAgo(hours));

/** Routed to St Giles two days ago, never pulled, its acceptance deadline a day gone. */
const unpulled = (n: number) => ({
  ...routedReferral(
    referralFromExample('sos-exploitation-north-somerset.json', idOf(n), hoursAgo(48)),
    'north-somerset-sos',
    { kind: 'provider', providerId: 'st-giles-sos' },
  ),
  deadlines: { acceptBy: hoursAgo(24).toISOString(), firstContactBy: hoursAgo(1).toISOString() },
});

/** Reconciliation's world: the store holding these referrals, where reports and alarms go. */
async function reconciliation(...referrals: Parameters<typeof sealedReferral>[0][]) {
  const cipher = testCipher();
  const store = new InMemoryReferralStore({ cipher });
  store.holds(...(await Promise.all(referrals.map((r) => sealedReferral(r, cipher)))));
  const saved: ReconciliationReport[] = [];
  const bus = new InMemoryEventBus();
  const log = recordingLog();
  const deps = {
    store,
    reports: {
      saveReconciliation: async (report: ReconciliationReport) => void saved.push(report),
    },
    bus,
    spokes,
    settings,
    now: () => now,
    log,
  };
  return { deps, saved, bus, log };
}

describe('reconcile', () => {
  it("finds each spoke's referrals stored but not routed, or routed and never pulled, keeps the counts and raises one alarm naming them by id", async () => {
    // Prepare
    const { deps, saved, bus, log } = await reconciliation(unrouted(1), unpulled(2));

    // Act
    const report = await reconcile(deps);

    // Assess
    expect(report.counts).toEqual({ 'not-routed': 1, 'not-pulled': 1 });
    expect(saved).toEqual([report]);
    expect(bus.requests).toHaveLength(1);
    expect(bus.requests[0]).toEqual([
      {
        detailType: 'reconciliation.discrepancies-found',
        detail: expect.objectContaining({
          checkedAt: now.toISOString(),
          counts: report.counts,
          more: 0,
        }) as unknown,
      },
    ]);
    const { discrepancies } = bus.requests[0]![0]!.detail as { discrepancies: Referral[] };
    expect(discrepancies.map((d) => d.referralId).sort()).toEqual([idOf(1), idOf(2)]);
    expect(log.lines).toEqual([
      {
        level: 'warn',
        message: 'Reconciliation found referrals stuck',
        attributes: [{ counts: report.counts }],
      },
    ]);
    const published = JSON.stringify([bus.requests, saved, log.lines]);
    for (const personal of [
      ...personalValuesOf('weapons-possession-bristol.json'),
      ...personalValuesOf('sos-exploitation-north-somerset.json'),
    ]) {
      expect(published).not.toContain(personal);
    }
  });

  it('raises no alarm when nothing is stuck, but still keeps the (zero) counts', async () => {
    // Prepare: received a moment ago (not yet late), and older than the lookback.
    const { deps, saved, bus, log } = await reconciliation(unrouted(1, 0.1), unrouted(2, 31 * 24));

    // Act
    const report = await reconcile(deps);

    // Assess
    expect(report.counts).toEqual({ 'not-routed': 0, 'not-pulled': 0 });
    expect(saved).toEqual([report]);
    expect(bus.requests).toEqual([]);
    expect(log.lines).toEqual([]);
  });

  it(`reads every page of every spoke, and names at most ${maxIdsPerEvent} referrals in the alarm, counting the rest`, async () => {
    // Prepare: more than one page (100) of stuck referrals in one spoke.
    const stuck = Array.from({ length: maxIdsPerEvent + 5 }, (_, n) => unrouted(n + 1));
    const { deps, bus } = await reconciliation(...stuck);

    // Act
    const report = await reconcile(deps);

    // Assess
    expect(report.counts['not-routed']).toBe(maxIdsPerEvent + 5);
    const detail = bus.requests[0]![0]!.detail as { discrepancies: unknown[]; more: number };
    expect(detail.discrepancies).toHaveLength(maxIdsPerEvent);
    expect(detail.more).toBe(5);
  });

  it('lets a failure to raise the alarm through once the counts are kept, so the run is retried', async () => {
    // Prepare
    const { deps, saved, bus } = await reconciliation(unrouted(1));
    bus.failWith = new Error('Service unavailable');

    // Act
    const run = reconcile(deps);

    // Assess
    await expect(run).rejects.toThrow('Service unavailable');
    expect(saved).toHaveLength(1);
  });
});
