import { describe, expect, it } from 'vitest';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { hubMetrics, hubReturn, lastTwelveMonths } from '#shared/services/hub.ts';

describe("lastTwelveMonths: the hub's default period", () => {
  it.each([
    ['2026-11-23T12:00:00Z', { from: '2025-12', to: '2026-11' }],
    // 00:30 on 1 July in London is still 30 June in UTC: the London month counts.
    ['2026-06-30T23:30:00Z', { from: '2025-08', to: '2026-07' }],
    ['2026-01-15T09:00:00Z', { from: '2025-02', to: '2026-01' }],
  ])('at %s is %j, months read in London', (at, period) => {
    // Act
    const actual = lastTwelveMonths(new Date(at));

    // Assess
    expect(actual).toEqual(period);
  });
});

describe('the hub and spoke answers', () => {
  // A store holding no figures yet: the names come from the config, not from the figures.
  const store = {
    aggregatesFor: async () => [],
    latestReconciliation: async () => undefined,
  };
  const now = () => new Date('2026-11-20T10:00:00Z');

  it('name the partnership and every spoke, pathway and provider, and the triage row', async () => {
    // Act
    const metrics = await hubMetrics(
      { groupBy: ['spoke'] },
      { store, now, partnership: avonAndSomerset },
    );
    const quarter = await hubReturn(2026, 1, { store, partnership: avonAndSomerset });

    // Assess
    expect(metrics.names).toEqual({
      partnership: 'Avon and Somerset Violence Reduction Partnership',
      spokes: Object.fromEntries(avonAndSomerset.spokes.map((spoke) => [spoke.id, spoke.name])),
      pathways: Object.fromEntries(avonAndSomerset.pathways.map((p) => [p.id, p.name])),
      providers: {
        ...Object.fromEntries(avonAndSomerset.providers.map((p) => [p.id, p.name])),
        triage: 'Triage (no provider)',
      },
    });
    expect(metrics.names.spokes['bath-ne-somerset']).toBe('Bath and North East Somerset');
    expect(quarter.names).toEqual(metrics.names);
  });
});
