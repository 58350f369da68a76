import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contactHoursBuckets, noProvider, type Aggregate } from '#shared/domain/hub-metrics.ts';
import {
  csvField,
  quarterlyReturn,
  toCsv,
  type QuarterlyReturn,
  type ReturnFigures,
} from '#shared/domain/quarterly-return.ts';

const emptyHistogram = () => new Array<number>(contactHoursBuckets.length + 1).fill(0);

function aggregate(overrides: Partial<Aggregate> = {}): Aggregate {
  return {
    month: '2026-01',
    spoke: 'somerset',
    pathway: 'admit',
    provider: 'turning-point-admit',
    counts: {},
    timeToFirstContact: emptyHistogram(),
    timeToEngagement: emptyHistogram(),
    ...overrides,
  };
}

const aggregates: Aggregate[] = [
  aggregate({ counts: { referred: 4, engaged: 2, closed: 2, 'closed:completed': 1 } }),
  aggregate({ provider: noProvider, month: '2026-02', counts: { referred: 2, triaged: 2 } }),
  aggregate({
    month: '2026-03',
    spoke: 'bristol',
    counts: { referred: 3, engaged: 3, 'closed:completed': 2, 'closed:disengaged': 1 },
  }),
  aggregate({
    month: '2026-03',
    spoke: 'bristol',
    pathway: 'weapons-in-schools',
    counts: { escalated: 1 },
  }),
  // Outside the quarter: December and April.
  aggregate({ month: '2025-12', counts: { referred: 50, engaged: 50 } }),
  aggregate({ month: '2026-04', spoke: 'bristol', counts: { referred: 70 } }),
];

describe('quarterlyReturn: a financial-year quarter from the aggregates', () => {
  it('gives one row per spoke and pathway, with subtotals and a total that add up', () => {
    // Act
    const ret = quarterlyReturn(aggregates, 2025, 4);

    // Assess
    expect(ret).toEqual({
      period: '2025/26 Q4',
      months: ['2026-01', '2026-02', '2026-03'],
      rows: [
        {
          spoke: 'bristol',
          pathway: 'admit',
          referrals: 3,
          engaged: 3,
          engagementRate: 1,
          interventionsDelivered: 2,
        },
        {
          spoke: 'bristol',
          pathway: 'weapons-in-schools',
          referrals: 0,
          engaged: 0,
          engagementRate: null,
          interventionsDelivered: 0,
        },
        {
          spoke: 'somerset',
          pathway: 'admit',
          referrals: 6,
          engaged: 2,
          engagementRate: 0.333,
          interventionsDelivered: 1,
        },
      ],
      totals: { referrals: 9, engaged: 5, engagementRate: 0.556, interventionsDelivered: 3 },
      bySpoke: [
        {
          spoke: 'bristol',
          referrals: 3,
          engaged: 3,
          engagementRate: 1,
          interventionsDelivered: 2,
        },
        {
          spoke: 'somerset',
          referrals: 6,
          engaged: 2,
          engagementRate: 0.333,
          interventionsDelivered: 1,
        },
      ],
      byPathway: [
        {
          pathway: 'admit',
          referrals: 9,
          engaged: 5,
          engagementRate: 0.556,
          interventionsDelivered: 3,
        },
        {
          pathway: 'weapons-in-schools',
          referrals: 0,
          engaged: 0,
          engagementRate: null,
          interventionsDelivered: 0,
        },
      ],
    });
  });

  it.each([
    [1, ['2026-04', '2026-05', '2026-06']],
    [2, ['2026-07', '2026-08', '2026-09']],
    [3, ['2026-10', '2026-11', '2026-12']],
    [4, ['2027-01', '2027-02', '2027-03']],
  ] as const)('takes quarter %s of 2026/27 as the months %j', (quarter, months) => {
    // Act
    const ret = quarterlyReturn(aggregates, 2026, quarter);

    // Assess
    expect(ret.months).toEqual(months);
    expect(ret.period).toBe(`2026/27 Q${quarter}`);
  });

  it('gives an empty return, with a null rate, for a quarter without referrals', () => {
    // Act
    const ret = quarterlyReturn(aggregates, 2026, 3);

    // Assess
    expect(ret.rows).toEqual([]);
    expect(ret.bySpoke).toEqual([]);
    expect(ret.byPathway).toEqual([]);
    expect(ret.totals).toEqual({
      referrals: 0,
      engaged: 0,
      engagementRate: null,
      interventionsDelivered: 0,
    });
  });

  it('refuses a year or quarter that is not one', () => {
    // Act
    const acts = [
      () => quarterlyReturn(aggregates, 2026.5, 1),
      () => quarterlyReturn(aggregates, 0, 1),
      () => quarterlyReturn(aggregates, 2026, 5 as never),
    ];

    // Assess
    for (const act of acts) expect(act).toThrow(RangeError);
  });

  it('adds up for any aggregates: rows, by spoke and by pathway each sum to the totals', () => {
    const aggregateArbitrary = fc.record({
      month: fc.constantFrom('2025-12', '2026-01', '2026-02', '2026-03', '2026-04'),
      spoke: fc.constantFrom('bristol', 'somerset', 'north-somerset', 'bath-ne-somerset'),
      pathway: fc.constantFrom('admit', 'sos-mentoring', 'weapons-in-schools'),
      provider: fc.constantFrom(noProvider, 'project-28', 'turning-point-admit'),
      counts: fc.record(
        {
          referred: fc.nat(100),
          engaged: fc.nat(100),
          'closed:completed': fc.nat(100),
          'closed:disengaged': fc.nat(100),
        },
        { requiredKeys: [] },
      ),
      timeToFirstContact: fc.constant(emptyHistogram()),
      timeToEngagement: fc.constant(emptyHistogram()),
    });
    fc.assert(
      fc.property(fc.array(aggregateArbitrary, { maxLength: 30 }), (all) => {
        // Act
        const ret = quarterlyReturn(all, 2025, 4);

        // Assess
        const inQuarter = all.filter((a) => a.month >= '2026-01' && a.month <= '2026-03');
        const referred = inQuarter.reduce((sum, a) => sum + (a.counts.referred ?? 0), 0);
        expect(ret.totals.referrals).toBe(referred);
        for (const part of [ret.rows, ret.bySpoke, ret.byPathway]) {
          expect(sumOf(part)).toEqual(countsOf(ret.totals));
        }
        for (const spoke of ret.bySpoke) {
          expect(sumOf(ret.rows.filter((r) => r.spoke === spoke.spoke))).toEqual(countsOf(spoke));
        }
        for (const pathway of ret.byPathway) {
          const rows = ret.rows.filter((r) => r.pathway === pathway.pathway);
          expect(sumOf(rows)).toEqual(countsOf(pathway));
        }
        for (const line of [...ret.rows, ...ret.bySpoke, ...ret.byPathway, ret.totals]) {
          expect(line.engagementRate).toBe(
            line.referrals === 0 ? null : Math.round((line.engaged / line.referrals) * 1000) / 1000,
          );
        }
      }),
    );
  });
});

function countsOf(figures: ReturnFigures) {
  return {
    referrals: figures.referrals,
    engaged: figures.engaged,
    interventionsDelivered: figures.interventionsDelivered,
  };
}

function sumOf(lines: readonly ReturnFigures[]) {
  return {
    referrals: lines.reduce((sum, l) => sum + l.referrals, 0),
    engaged: lines.reduce((sum, l) => sum + l.engaged, 0),
    interventionsDelivered: lines.reduce((sum, l) => sum + l.interventionsDelivered, 0),
  };
}

describe('toCsv: the return as a spreadsheet', () => {
  it('writes a header, the rows, the subtotals by spoke then pathway, and the total', () => {
    // Prepare
    const ret = quarterlyReturn(aggregates, 2025, 4);

    // Act
    const csv = toCsv(ret);

    // Assess
    expect(csv.split('\r\n')).toEqual([
      'Period,Spoke,Pathway,Referrals,Engaged,Engagement rate,Interventions delivered',
      '2025/26 Q4,bristol,admit,3,3,1,2',
      '2025/26 Q4,bristol,weapons-in-schools,0,0,,0',
      '2025/26 Q4,somerset,admit,6,2,0.333,1',
      '2025/26 Q4,bristol,All pathways,3,3,1,2',
      '2025/26 Q4,somerset,All pathways,6,2,0.333,1',
      '2025/26 Q4,All spokes,admit,9,5,0.556,3',
      '2025/26 Q4,All spokes,weapons-in-schools,0,0,,0',
      '2025/26 Q4,All spokes,All pathways,9,5,0.556,3',
      '',
    ]);
  });

  it('quotes fields holding commas, quotes or line breaks, doubling the quotes', () => {
    // Prepare
    const ret: QuarterlyReturn = {
      period: '2026/27 Q1',
      months: ['2026-04', '2026-05', '2026-06'],
      rows: [
        {
          spoke: 'bath, ne somerset',
          pathway: 'the "admit" pathway\r\nnight',
          referrals: 1,
          engaged: 0,
          engagementRate: 0,
          interventionsDelivered: 0,
        },
      ],
      totals: { referrals: 1, engaged: 0, engagementRate: 0, interventionsDelivered: 0 },
      bySpoke: [],
      byPathway: [],
    };

    // Act
    const csv = toCsv(ret);

    // Assess
    expect(csv).toContain(
      '2026/27 Q1,"bath, ne somerset","the ""admit"" pathway\r\nnight",1,0,0,0\r\n',
    );
  });

  it.each([
    ['somerset', 'somerset'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['@cmd', "'@cmd"],
    ['-2,3', `"'-2,3"`],
    ['', ''],
  ])('writes the text %j as %j', (value, field) => {
    // Act
    const written = csvField(value);

    // Assess
    expect(written).toBe(field);
  });

  it('writes numbers as they are and null as an empty field', () => {
    // Act
    const fields = [0, 12, 0.333, null].map(csvField);

    // Assess
    expect(fields).toEqual(['0', '12', '0.333', '']);
  });
});
