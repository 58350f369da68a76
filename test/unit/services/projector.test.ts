import { describe, expect, it } from 'vitest';
import { noProvider } from '#shared/domain/hub-metrics.ts';
import { toEventDetail, type Referral } from '#shared/domain/referral.ts';
import { projectEvent } from '#shared/services/projector.ts';
import { InMemoryMetricsStore, recordingLog } from '#test/helpers/fakes.ts';
import { referralFromExample, routedReferral } from '#test/unit/functions/builders.ts';

const referralId = '0b7f4c5e-3c1a-4d59-9a43-2f6d1c1e5a01';
/** Received at 00:30 on 1 July in London: still 30 June in UTC. */
const receivedAt = new Date('2026-06-30T23:30:00.000Z');

const received = () => referralFromExample('admit-friday-night.json', referralId, receivedAt);
const routedToProvider = () =>
  routedReferral(received(), 'somerset-turning-point-admit', {
    kind: 'provider',
    providerId: 'turning-point-admit',
  });
const accepted = (): Referral => ({
  ...routedToProvider(),
  status: 'accepted',
  updatedAt: '2026-07-01T08:00:00.000Z',
  milestones: { routedAt: '2026-06-30T23:30:02.000Z', acceptedAt: '2026-07-01T08:00:00.000Z' },
});

const projector = () => {
  const store = new InMemoryMetricsStore();
  const log = recordingLog();
  return { store, log, deps: { store, log } };
};

describe('projectEvent', () => {
  it('counts the facts of an event once, in the London month the referral was received, and moves its stage', async () => {
    // Prepare
    const { store, log, deps } = projector();
    const detail = toEventDetail(routedToProvider());

    // Act
    const counted = await projectEvent('referral.routed', detail, deps);

    // Assess
    expect(counted).toBe(1);
    const cell = { month: '2026-07', spoke: 'somerset', pathway: 'admit' };
    expect(store.counted).toEqual([
      { referralId, cell, fact: { fact: 'referred', provider: 'turning-point-admit' } },
    ]);
    expect(store.stages.get(referralId)).toEqual({
      stage: 'awaiting-decision',
      provider: 'turning-point-admit',
      at: detail.occurredAt,
      cell,
    });
    expect(log.lines).toEqual([
      {
        level: 'info',
        message: 'Projected',
        attributes: [{ referralId, detailType: 'referral.routed', counted: 1, moved: true }],
      },
    ]);
  });

  it("counts a referral routed to triage at the spoke's triage, not at a provider", async () => {
    // Prepare
    const { store, deps } = projector();
    const triaged = routedReferral(received(), 'somerset-triage', {
      kind: 'triage',
      spoke: 'somerset',
    });

    // Act
    await projectEvent('referral.routed', toEventDetail(triaged), deps);

    // Assess
    expect(store.counted.map((c) => c.fact)).toEqual([
      { fact: 'referred', provider: noProvider },
      { fact: 'triaged', provider: noProvider },
    ]);
    expect(store.stages.get(referralId)?.provider).toBe(noProvider);
  });

  it('changes nothing, and says nothing, for an event projected already', async () => {
    // Prepare
    const { store, log, deps } = projector();
    const detail = toEventDetail(routedToProvider());
    await projectEvent('referral.routed', detail, deps);
    log.lines.length = 0;

    // Act
    const counted = await projectEvent('referral.routed', detail, deps);

    // Assess
    expect(counted).toBe(0);
    expect(store.counted).toHaveLength(1);
    expect(log.lines).toEqual([]);
  });

  it('counts a late event but leaves the stage where a later event put it', async () => {
    // Prepare
    const { store, deps } = projector();
    await projectEvent('referral.accepted', toEventDetail(accepted()), deps);

    // Act
    const counted = await projectEvent('referral.routed', toEventDetail(routedToProvider()), deps);

    // Assess
    expect(counted).toBe(1);
    expect(store.counted.map((c) => c.fact.fact).sort()).toEqual(['accepted', 'referred']);
    expect(store.stages.get(referralId)?.stage).toBe('awaiting-first-contact');
  });
});
