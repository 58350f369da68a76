import { describe, expect, it } from 'vitest';
import { lastTwelveMonths } from '#shared/services/hub.ts';

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
