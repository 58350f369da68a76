import { describe, expect, it } from 'vitest';
import {
  dashboardOf,
  errorListOf,
  filterFormOf,
  formatHours,
  readFigures,
  readFilters,
  returnQuarters,
  type Readings,
} from '#web/hub/view.ts';
import type { Aggregate, MetricsRow } from '#shared/domain/hub-metrics.ts';
import { declineReasons } from '#events/vocabulary.ts';
import type { ReconciliationReport } from '#shared/domain/reconciliation.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';

/** A cell of the hub's aggregates with the counts given, no times. */
function aggregate(cell: Partial<Aggregate> & Pick<Aggregate, 'month'>): Aggregate {
  return {
    spoke: 'somerset',
    pathway: 'admit',
    provider: 'turning-point-admit',
    counts: {},
    timeToFirstContact: new Array<number>(11).fill(0),
    timeToEngagement: new Array<number>(11).fill(0),
    ...cell,
  };
}

/** A small in-memory store of aggregates, counting its reads. */
function storeOf(aggregates: Aggregate[], reconciliation?: ReconciliationReport) {
  const reads: string[][] = [];
  return {
    reads,
    store: {
      aggregatesFor: async (months: string[]) => {
        reads.push(months);
        return aggregates.filter((cell) => months.includes(cell.month));
      },
      latestReconciliation: async () => reconciliation,
    },
  };
}

const row = (group: MetricsRow['group'], overrides: Partial<MetricsRow> = {}): MetricsRow => ({
  group,
  referred: 0,
  triaged: 0,
  escalated: 0,
  accepted: 0,
  declined: 0,
  declineReasons: Object.fromEntries(
    declineReasons.map((r) => [r, 0]),
  ) as MetricsRow['declineReasons'],
  contacted: 0,
  engaged: 0,
  closed: 0,
  outcomes: {} as MetricsRow['outcomes'],
  withdrawn: 0,
  overdue: { accept: 0, firstContact: 0 },
  current: {
    awaitingDecision: 0,
    awaitingFirstContact: 0,
    awaitingEngagement: 0,
    engaged: 0,
    declinedAwaitingReroute: 0,
  },
  acceptanceRate: null,
  engagementRate: null,
  timeToFirstContactHours: { median: null, p90: null },
  timeToEngagementHours: { median: null, p90: null },
  ...overrides,
});

describe('the hub dashboard view: its filters', () => {
  it('defaults to the last twelve months in London time: 23:30 UTC on 30 June is already July in BST', () => {
    // Act
    const summer = readFilters({}, new Date('2026-06-30T23:30:00Z'));
    const beforeMidnight = readFilters({}, new Date('2026-06-30T22:59:59Z'));

    // Assess
    expect(summer).toEqual({
      kind: 'filters',
      filters: { from: '2025-08', to: '2026-07', spoke: '' },
    });
    expect(beforeMidnight).toEqual({
      kind: 'filters',
      filters: { from: '2025-07', to: '2026-06', spoke: '' },
    });
  });

  it('in winter London is UTC: midnight UTC on 1 December is December, a second before is November', () => {
    // Act
    const midnight = readFilters({}, new Date('2026-12-01T00:00:00Z'));
    const before = readFilters({}, new Date('2026-11-30T23:59:59Z'));

    // Assess
    expect(midnight).toMatchObject({ filters: { from: '2026-01', to: '2026-12' } });
    expect(before).toMatchObject({ filters: { from: '2025-12', to: '2026-11' } });
  });

  it("keeps a bookmarked period and spoke, and answers the form's month and year with the view's own URL", () => {
    // Act
    const bookmarked = readFilters(
      { from: '2025-12', to: '2026-11', spoke: 'bristol' },
      new Date(),
    );
    const sent = readFilters(
      { 'from-month': '4', 'from-year': '2026', 'to-month': ' 11 ', 'to-year': '2026', spoke: '' },
      new Date(),
    );

    // Assess
    expect(bookmarked).toEqual({
      kind: 'filters',
      filters: { from: '2025-12', to: '2026-11', spoke: 'bristol' },
    });
    expect(sent).toEqual({ kind: 'redirect', search: '?from=2026-04&to=2026-11' });
  });

  it('refuses a period that ends before it starts, or a month or year that is not one, naming the field', () => {
    // Act
    const backwards = readFilters(
      { 'from-month': '11', 'from-year': '2026', 'to-month': '3', 'to-year': '2026' },
      new Date(),
    );
    const nonsense = readFilters(
      { 'from-month': '13', 'from-year': '2026', 'to-month': '3', 'to-year': '26' },
      new Date(),
    );
    const badUrl = readFilters({ from: '2026-13', spoke: 'Not a spoke!' }, new Date());

    // Assess
    expect(backwards).toMatchObject({
      kind: 'errors',
      values: { from: { month: '11', year: '2026' }, to: { month: '3', year: '2026' } },
    });
    if (backwards.kind !== 'errors' || nonsense.kind !== 'errors' || badUrl.kind !== 'errors') {
      throw new Error('expected errors');
    }
    expect(errorListOf(backwards.errors)).toEqual([
      { text: 'The To month must be the same as or after the From month', href: '#to-month' },
    ]);
    expect(errorListOf(nonsense.errors)).toEqual([
      { text: 'The From month must be a number from 1 to 12', href: '#from-month' },
      { text: 'The To year must have 4 digits, like 2026', href: '#to-year' },
    ]);
    expect(badUrl.errors.map((error) => error.field).sort()).toEqual(['from', 'spoke']);
  });
});

describe('the hub dashboard view: its figures', () => {
  const now = () => new Date('2026-11-20T12:00:00Z');

  it('reads every grouping from the hub service, each month of the period once, and a period over 36 months as an error on To', async () => {
    // Prepare
    const { store, reads } = storeOf([
      aggregate({ month: '2026-05', counts: { referred: 2, engaged: 1, accepted: 2 } }),
      aggregate({
        month: '2026-05',
        spoke: 'bristol',
        pathway: 'weapons-in-schools',
        provider: 'triage',
        counts: { referred: 1, triaged: 1 },
      }),
    ]);

    // Act
    const read = await readFigures(
      { from: '2025-12', to: '2026-11', spoke: 'somerset' },
      { store, now, partnership: avonAndSomerset },
    );
    const tooLong = await readFigures(
      { from: '2020-01', to: '2026-11', spoke: '' },
      { store, now, partnership: avonAndSomerset },
    );

    // Assess
    if (!('readings' in read)) throw new Error('expected readings');
    expect(reads).toHaveLength(1);
    expect(read.readings.totals).toMatchObject({ referred: 2, engaged: 1, engagementRate: 0.5 });
    expect(read.readings.bySpoke.map((r) => r.group)).toEqual([{ spoke: 'somerset' }]);
    expect(read.readings.byQuarter.map((r) => r.group)).toEqual([{ quarter: '2026/27 Q1' }]);
    // The spokes to choose from are every spoke's, not only the chosen one's.
    expect(read.readings.spokes).toEqual(['bristol', 'somerset']);
    expect(tooLong).toEqual({
      errors: [
        {
          field: 'to',
          text: 'To: must be on or after "from", at most 36 months later',
          inline: 'must be on or after "from", at most 36 months later',
        },
      ],
    });
  });

  it("words the figures with the partnership's names: an overflow, a missing time, zero months, `current`", () => {
    // Prepare
    const somerset = row(
      { spoke: 'somerset' },
      {
        referred: 3,
        contacted: 1,
        engaged: 1,
        acceptanceRate: 1,
        engagementRate: 0.333,
        timeToFirstContactHours: { median: '>720', p90: null },
      },
    );
    const readings: Readings = {
      period: { from: '2026-04', to: '2026-06' },
      totals: row(
        {},
        { referred: 3, engaged: 1, engagementRate: 0.333, overdue: { accept: 1, firstContact: 2 } },
      ),
      bySpoke: [somerset],
      byPathway: [row({ pathway: 'admit' }, { referred: 3 })],
      byMonth: [row({ month: '2026-05' }, { referred: 3, engaged: 1, engagementRate: 0.333 })],
      byQuarter: [row({ quarter: '2026/27 Q1' }, { referred: 3 })],
      byProvider: [
        row(
          { provider: 'turning-point-admit' },
          {
            referred: 3,
            current: {
              awaitingDecision: 4,
              awaitingFirstContact: 3,
              awaitingEngagement: 2,
              engaged: 1,
              declinedAwaitingReroute: 5,
            },
          },
        ),
        row({ provider: 'triage' }),
      ],
      spokes: ['somerset'],
      reconciliation: null,
    };

    // Act
    const view = dashboardOf(
      avonAndSomerset,
      { from: '2026-04', to: '2026-06', spoke: 'somerset' },
      readings,
    );

    // Assess
    expect(view.scope).toBe('April 2026 to June 2026, Somerset');
    expect(view.cards.map((card) => card.value)).toEqual(['3', '1', '33.3%', 'no data', '3']);
    expect(view.ratesByPathway.table.rows).toEqual([
      ['Admit (Musgrove Park Hospital A&E)', '3', '0', '0', 'no data', 'no data'],
    ]);
    expect(view.firstContact.table.rows).toEqual([['Somerset', '1', 'over 720 hours', 'no data']]);
    expect(view.firstContact.chart.series[0]).toMatchObject({
      data: [720],
      texts: ['over 720 hours'],
    });
    expect(view.byMonth.table.rows).toEqual([
      ['April 2026', '0', '0', 'no data'],
      ['May 2026', '3', '1', '33.3%'],
      ['June 2026', '0', '0', 'no data'],
    ]);
    expect(view.byMonth.chart.labels).toEqual(['Apr 2026', 'May 2026', 'Jun 2026']);
    expect(view.waiting.table.rows).toEqual([
      ['Turning Point (Admit Young People Recovery workers)', '4', '3', '2', '1', '5'],
      ['Triage (no provider)', '0', '0', '0', '0', '0'],
    ]);
    expect(view.outcomes.table.rows.map(([what]) => what)).toContain(
      'Declined: No capacity at the time',
    );
    expect(view.returnQuarters).toEqual([{ label: '2026/27 Q1', period: '2026-Q1' }]);
    expect(view.reconciliation).toBeUndefined();
    expect(JSON.stringify(view)).not.toMatch(/NaN|undefined|null%|\[object/);
  });

  it('says what the last reconciliation found, in London time, and that nothing is stuck when so', () => {
    // Prepare
    const report: ReconciliationReport = {
      checkedAt: '2026-07-23T09:30:00.000Z',
      notRoutedAfterMinutes: 15,
      lookbackDays: 30,
      counts: { 'not-routed': 1, 'not-pulled': 2 },
      bySpoke: {},
      byProvider: { 'turning-point-admit': 2 },
    };
    const empty = row({});
    const readings = (reconciliation: ReconciliationReport): Readings => ({
      period: { from: '2026-07', to: '2026-07' },
      totals: empty,
      bySpoke: [],
      byPathway: [],
      byMonth: [],
      byQuarter: [],
      byProvider: [],
      spokes: [],
      reconciliation,
    });
    const filters = { from: '2026-07', to: '2026-07', spoke: '' };

    // Act
    const stuck = dashboardOf(avonAndSomerset, filters, readings(report)).reconciliation;
    const clear = dashboardOf(
      avonAndSomerset,
      filters,
      readings({ ...report, counts: { 'not-routed': 0, 'not-pulled': 0 } }),
    );

    // Assess
    expect(stuck).toEqual({
      stuck: true,
      checked: '23 Jul 2026, 10:30',
      heading: '3 referrals are stuck between intake and a provider.',
      notRouted: '1 stored but not routed after 15 minutes',
      notPulled:
        '2 routed to a provider but not picked up by their acceptance deadline: Turning Point (Admit Young People Recovery workers) 2',
    });
    expect(clear.reconciliation?.stuck).toBe(false);
    expect(clear.scope).toBe('July 2026, all spokes');
    expect(clear.funnel.empty).toBe('No referrals were received in this period.');
  });

  it('offers the spokes with referrals and the one chosen, by name; every spoke when none were read', () => {
    // Act
    const some = filterFormOf(
      avonAndSomerset,
      { from: { month: '1', year: '2026' }, to: { month: '6', year: '2026' }, spoke: 'bristol' },
      [],
      ['somerset', 'bath-ne-somerset'],
    );
    const all = filterFormOf(
      avonAndSomerset,
      { from: { month: '', year: '' }, to: { month: '', year: '' }, spoke: '' },
      [
        {
          field: 'from',
          text: 'Enter the From month and year',
          inline: 'Enter the From month and year',
        },
      ],
    );

    // Assess
    expect(some.spoke.items.map((item) => [item.text, item.selected])).toEqual([
      ['All spokes', false],
      ['Bath and North East Somerset', false],
      ['Bristol', true],
      ['Somerset', false],
    ]);
    expect(all.spoke.items).toHaveLength(avonAndSomerset.spokes.length + 1);
    expect(all.from.error).toBe('Enter the From month and year');
  });

  it('reads a quarter label back to the period of its return, in either financial year of its months', () => {
    // Act
    const quarters = returnQuarters(
      [row({ quarter: '2025/26 Q4' }), row({ quarter: '2026/27 Q1' }), row({ quarter: 'odd' })],
      { from: '2026-01', to: '2026-05' },
    );

    // Assess
    expect(quarters).toEqual([
      { label: '2025/26 Q4', period: '2025-Q4' },
      { label: '2026/27 Q1', period: '2026-Q1' },
    ]);
    expect(formatHours(1)).toBe('1 hour');
  });
});
