import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detailTypes } from '#events/catalogue.ts';
import { referralEventDetailSchema, type ReferralEventDetail } from '#events/referral-lifecycle.ts';
import {
  bucketOf,
  contactHoursBuckets,
  factsOf,
  hoursReading,
  monthOf,
  noProvider,
  overflowHours,
  percentileHours,
  quarterLabel,
  quarterMonths,
  quarterOf,
  stageOf,
  stages,
  summarise,
  type Aggregate,
  type CountKey,
} from '#shared/domain/hub-metrics.ts';
import { closeOutcomes, declineReasons, referralStatuses } from '#events/vocabulary.ts';

const receivedAt = '2026-05-01T10:00:00.000Z';
const hoursAfterReceipt = (hours: number) =>
  new Date(Date.parse(receivedAt) + hours * 60 * 60 * 1000).toISOString();

/** A schema-valid event detail: identifiers and codes only. */
function detail(overrides: Partial<ReferralEventDetail> = {}): ReferralEventDetail {
  return referralEventDetailSchema.parse({
    referralId: '6f1c2a4e-1f0b-4b8e-9a53-2f4f7d1f9c10',
    spoke: 'somerset',
    pathway: 'admit',
    ageYears: 15,
    referrerType: 'hospital',
    referrerOrganisationId: 'musgrove-park',
    flags: {
      immediateEscalation: false,
      aggravatingFactors: false,
      eligibleAge: true,
      inStaffedWindow: true,
    },
    status: 'accepted',
    occurredAt: '2026-05-01T12:00:00.000Z',
    receivedAt,
    providerId: 'turning-point-admit',
    ...overrides,
  });
}

const histogramOf = (counts: Record<number, number>): number[] =>
  Array.from({ length: contactHoursBuckets.length + 1 }, (_, bucket) => counts[bucket] ?? 0);

function aggregate(overrides: Partial<Aggregate> = {}): Aggregate {
  return {
    month: '2026-05',
    spoke: 'somerset',
    pathway: 'admit',
    provider: 'turning-point-admit',
    counts: {},
    timeToFirstContact: histogramOf({}),
    timeToEngagement: histogramOf({}),
    ...overrides,
  };
}

describe('factsOf: the facts each lifecycle event establishes', () => {
  it('counts a routed referral as referred, at its provider', () => {
    // Prepare
    const routed = detail({
      status: 'routed',
      destination: { kind: 'provider', providerId: 'turning-point-admit' },
    });

    // Act
    const facts = factsOf(detailTypes.referralRouted, routed);

    // Assess
    expect(facts).toEqual([{ fact: 'referred', provider: 'turning-point-admit' }]);
  });

  it('counts a referral routed to triage as referred and triaged, at no provider', () => {
    // Prepare
    const routed = detail({
      status: 'routed',
      providerId: undefined,
      destination: { kind: 'triage', spoke: 'bristol' },
    });

    // Act
    const facts = factsOf(detailTypes.referralRouted, routed);

    // Assess
    expect(facts).toEqual([
      { fact: 'referred', provider: noProvider },
      { fact: 'triaged', provider: noProvider },
    ]);
    expect(noProvider).toBe('triage');
  });

  it('counts an escalation, an acceptance and a withdrawal once each', () => {
    // Prepare
    const escalated = detail({ status: 'received', providerId: undefined });
    const accepted = detail();
    const withdrawn = detail({ status: 'withdrawn' });

    // Act
    const facts = [
      factsOf(detailTypes.referralEscalated, escalated),
      factsOf(detailTypes.referralAccepted, accepted),
      factsOf(detailTypes.referralWithdrawn, withdrawn),
    ];

    // Assess
    expect(facts).toEqual([
      [{ fact: 'escalated', provider: noProvider }],
      [{ fact: 'accepted', provider: 'turning-point-admit' }],
      [{ fact: 'withdrawn', provider: 'turning-point-admit' }],
    ]);
  });

  it('counts a decline and its coded reason', () => {
    // Prepare
    const declined = detail({ status: 'declined', declineReason: 'no-capacity' });

    // Act
    const facts = factsOf(detailTypes.referralDeclined, declined);

    // Assess
    expect(facts.map((f) => f.fact)).toEqual(['declined', 'declined:no-capacity']);
  });

  it('counts a close and its outcome', () => {
    // Prepare
    const closed = detail({ status: 'closed', closeOutcome: 'completed' });

    // Act
    const facts = factsOf(detailTypes.referralClosed, closed);

    // Assess
    expect(facts.map((f) => f.fact)).toEqual(['closed', 'closed:completed']);
  });

  it('counts a first contact attempt with the hours from receipt to it', () => {
    // Prepare
    const contacted = detail({
      status: 'contact-attempted',
      milestones: { acceptedAt: hoursAfterReceipt(1), firstContactAt: hoursAfterReceipt(30) },
      contact: { method: 'phone', result: 'no-answer' },
    });

    // Act
    const facts = factsOf(detailTypes.referralContactAttempted, contacted);

    // Assess: 30 hours is in the (24, 48] bucket.
    expect(facts).toEqual([
      {
        fact: 'contacted',
        provider: 'turning-point-admit',
        histogram: { name: 'timeToFirstContact', bucket: 4 },
      },
    ]);
  });

  it('counts an engagement with the hours from receipt to it', () => {
    // Prepare
    const engaged = detail({
      status: 'engaged',
      milestones: { firstContactAt: hoursAfterReceipt(2), engagedAt: hoursAfterReceipt(800) },
    });

    // Act
    const facts = factsOf(detailTypes.referralEngaged, engaged);

    // Assess
    expect(facts).toEqual([
      {
        fact: 'engaged',
        provider: 'turning-point-admit',
        histogram: { name: 'timeToEngagement', bucket: contactHoursBuckets.length },
      },
    ]);
  });

  it('counts a contact or engagement without a time when the milestone is missing', () => {
    // Prepare
    const contacted = detail({ status: 'contact-attempted' });
    const engaged = detail({ status: 'engaged', milestones: {} });

    // Act
    const facts = [
      ...factsOf(detailTypes.referralContactAttempted, contacted),
      ...factsOf(detailTypes.referralEngaged, engaged),
    ];

    // Assess
    expect(facts).toEqual([
      { fact: 'contacted', provider: 'turning-point-admit' },
      { fact: 'engaged', provider: 'turning-point-admit' },
    ]);
  });

  it('counts each missed deadline by its kind', () => {
    // Prepare
    const accept = detail({ status: 'routed', overdue: 'accept' });
    const firstContact = detail({ overdue: 'first-contact' });

    // Act
    const facts = [
      ...factsOf(detailTypes.referralOverdue, accept),
      ...factsOf(detailTypes.referralOverdue, firstContact),
    ];

    // Assess
    expect(facts.map((f) => f.fact)).toEqual(['overdue:accept', 'overdue:first-contact']);
  });

  it('counts nothing for a received or rerouted referral, or an unknown event', () => {
    // Prepare
    const rerouted = detail({ status: 'rerouted', providerId: 'project-28' });

    // Act
    const facts = [
      factsOf(detailTypes.referralReceived, detail({ status: 'received' })),
      factsOf(detailTypes.referralRerouted, rerouted),
      factsOf('referral.something-else', detail()),
      factsOf(detailTypes.referralOverdue, detail()),
    ];

    // Assess
    expect(facts).toEqual([[], [], [], []]);
  });

  it('names every fact the same way whichever provider it happens at, so it counts once', () => {
    // Prepare: accepted at one provider, rerouted, accepted at another.
    const first = detail({ providerId: 'turning-point-admit' });
    const second = detail({ providerId: 'project-28' });

    // Act
    const names = [first, second].map((d) => factsOf(detailTypes.referralAccepted, d)[0]?.fact);

    // Assess
    expect(names).toEqual(['accepted', 'accepted']);
  });

  it('gives every lifecycle event only a fact name, a provider id and a bucket', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(detailTypes)),
        fc.constantFrom(...declineReasons),
        fc.constantFrom(...closeOutcomes),
        fc.integer({ min: 0, max: 2000 }),
        (detailType, declineReason, closeOutcome, hours) => {
          // Prepare
          const event = detail({
            declineReason,
            closeOutcome,
            overdue: 'accept',
            milestones: {
              firstContactAt: hoursAfterReceipt(hours),
              engagedAt: hoursAfterReceipt(hours),
            },
          });

          // Act
          const facts = factsOf(detailType, event);

          // Assess
          for (const projected of facts) {
            expect(Object.keys(projected).sort()).toEqual(
              projected.histogram ? ['fact', 'histogram', 'provider'] : ['fact', 'provider'],
            );
            expect(projected.provider).toBe('turning-point-admit');
            expect(projected.histogram?.bucket ?? 0).toBeLessThanOrEqual(
              contactHoursBuckets.length,
            );
          }
          expect(new Set(facts.map((f) => f.fact)).size).toBe(facts.length);
        },
      ),
    );
  });
});

describe('stageOf: which waiting list a referral is on now', () => {
  it.each([
    ['received', undefined],
    ['routed', 'awaiting-decision'],
    ['rerouted', 'awaiting-decision'],
    ['accepted', 'awaiting-first-contact'],
    ['contact-attempted', 'awaiting-engagement'],
    ['engaged', 'engaged'],
    ['declined', 'declined-awaiting-reroute'],
    ['closed', undefined],
    ['withdrawn', undefined],
  ] as const)('puts a referral %s on %s', (status, stage) => {
    // Act
    const actual = stageOf(status);

    // Assess
    expect(actual).toBe(stage);
  });

  it('has a list for every stage some status leads to, and no other', () => {
    // Act
    const reached = new Set(referralStatuses.map(stageOf).filter(Boolean));

    // Assess
    expect([...reached].sort()).toEqual([...stages].sort());
  });
});

describe('bucketOf: which bucket a time falls in', () => {
  it.each([
    [0, 0],
    [0.5, 0],
    [1, 0],
    [1.0001, 1],
    [4, 1],
    [8, 2],
    [23.99, 3],
    [24, 3],
    [24.01, 4],
    [168, 7],
    [720, 9],
    [720.01, 10],
    [100_000, 10],
    [Infinity, 10],
    [-0.1, 0],
  ])('puts %s hours in bucket %s', (hours, bucket) => {
    // Act
    const found = bucketOf(hours);

    // Assess
    expect(found).toBe(bucket);
  });

  it('refuses a time that is not a number', () => {
    // Act
    const act = () => bucketOf(NaN);

    // Assess
    expect(act).toThrow(RangeError);
  });

  it('puts every time under its bucket bound and over the one before', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2000, noNaN: true }), (hours) => {
        // Act
        const bucket = bucketOf(hours);

        // Assess
        const upper = contactHoursBuckets[bucket] ?? Infinity;
        const lower = bucket === 0 ? -Infinity : (contactHoursBuckets[bucket - 1] ?? -Infinity);
        expect(hours).toBeLessThanOrEqual(upper);
        expect(hours).toBeGreaterThan(lower);
      }),
    );
  });
});

describe('monthOf: the month a referral was received, in London', () => {
  it.each([
    ['2026-03-31T22:59:59.999Z', '2026-03'],
    ['2026-03-31T23:00:00.000Z', '2026-04'],
    ['2026-03-31T23:30:00.000Z', '2026-04'],
    ['2026-01-31T23:30:00.000Z', '2026-01'],
    ['2026-02-01T00:00:00.000Z', '2026-02'],
    ['2025-09-30T23:00:00.000Z', '2025-10'],
    ['2025-10-31T23:30:00.000Z', '2025-10'],
    ['2025-12-31T23:59:59.999Z', '2025-12'],
    ['2026-06-30T23:00:00+00:00', '2026-07'],
  ])('puts %s in %s', (at, month) => {
    // Act
    const found = monthOf(at);

    // Assess
    expect(found).toBe(month);
  });

  it('refuses what is not a date', () => {
    // Act
    const act = () => monthOf('not a date');

    // Assess
    expect(act).toThrow(RangeError);
  });

  it('puts months in financial-year quarters, April to March', () => {
    // Act
    const quarters = ['2026-01', '2026-03', '2026-04', '2026-06', '2026-07', '2026-12'].map(
      quarterOf,
    );

    // Assess
    expect(quarters).toEqual([
      '2025/26 Q4',
      '2025/26 Q4',
      '2026/27 Q1',
      '2026/27 Q1',
      '2026/27 Q2',
      '2026/27 Q3',
    ]);
  });

  it('gives each financial quarter its three months, and every month back its quarter', () => {
    for (const year of [1999, 2025, 2026]) {
      for (const quarter of [1, 2, 3, 4] as const) {
        // Act
        const months = quarterMonths(year, quarter);

        // Assess
        expect(months).toHaveLength(3);
        for (const month of months) expect(quarterOf(month)).toBe(quarterLabel(year, quarter));
      }
    }
    expect(quarterMonths(2026, 4)).toEqual(['2027-01', '2027-02', '2027-03']);
    expect(quarterLabel(1999, 1)).toBe('1999/00 Q1');
  });
});

describe('percentileHours: reading a histogram', () => {
  it('reads the median and p90 as the bound of the bucket they fall in', () => {
    // Prepare: 10 referrals: 5 within 1 hour, 3 within 24, 1 within 72, 1 within 720.
    const histogram = histogramOf({ 0: 5, 3: 3, 5: 1, 9: 1 });

    // Act
    const readings = [50, 51, 80, 90, 91, 100].map((p) => percentileHours(histogram, p));

    // Assess
    expect(readings).toEqual([1, 24, 24, 72, 720, 720]);
  });

  it('reads a single referral at every percentile', () => {
    // Prepare
    const histogram = histogramOf({ 6: 1 });

    // Act
    const readings = [0, 50, 90, 100].map((p) => percentileHours(histogram, p));

    // Assess
    expect(readings).toEqual([120, 120, 120, 120]);
  });

  it('reads the overflow bucket as Infinity, reported as more than 720 hours', () => {
    // Prepare
    const histogram = histogramOf({ 2: 1, 10: 3 });

    // Act
    const median = percentileHours(histogram, 50);
    const reading = hoursReading(histogram, 50);

    // Assess
    expect(median).toBe(Infinity);
    expect(reading).toBe('>720');
    expect(overflowHours).toBe('>720');
    expect(JSON.parse(JSON.stringify({ reading }))).toEqual({ reading: '>720' });
  });

  it('reads nothing from an empty histogram', () => {
    // Act
    const readings = [histogramOf({}), []].map((h) => percentileHours(h, 50));

    // Assess
    expect(readings).toEqual([undefined, undefined]);
    expect(hoursReading([], 90)).toBeNull();
  });

  it('refuses a percentile outside 0 to 100', () => {
    // Act
    const acts = [-1, 101, NaN].map((p) => () => percentileHours(histogramOf({ 0: 1 }), p));

    // Assess
    for (const act of acts) expect(act).toThrow(RangeError);
  });

  it('never reads a higher percentile below a lower one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(50), {
          minLength: contactHoursBuckets.length + 1,
          maxLength: contactHoursBuckets.length + 1,
        }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (histogram, a, b) => {
          // Act
          const low = percentileHours(histogram, Math.min(a, b));
          const high = percentileHours(histogram, Math.max(a, b));

          // Assess
          if (histogram.every((count) => count === 0)) expect(low).toBeUndefined();
          else expect(high!).toBeGreaterThanOrEqual(low!);
        },
      ),
    );
  });
});

describe('summarise: the hub metrics from aggregates', () => {
  const aggregates: Aggregate[] = [
    aggregate({
      counts: {
        referred: 4,
        accepted: 3,
        declined: 1,
        'declined:no-capacity': 1,
        contacted: 3,
        engaged: 2,
        closed: 1,
        'closed:completed': 1,
        'overdue:first-contact': 1,
        'stage:awaiting-first-contact': 1,
        'stage:engaged': 1,
      },
      timeToFirstContact: histogramOf({ 0: 1, 3: 2 }),
      timeToEngagement: histogramOf({ 5: 1, 10: 1 }),
    }),
    aggregate({
      provider: noProvider,
      counts: {
        referred: 2,
        triaged: 2,
        escalated: 1,
        'overdue:accept': 2,
        'stage:awaiting-decision': 2,
      },
    }),
    aggregate({
      month: '2026-06',
      counts: { referred: 1, accepted: 1, withdrawn: 1 },
    }),
    aggregate({
      month: '2026-07',
      spoke: 'bristol',
      pathway: 'weapons-in-schools',
      provider: noProvider,
      counts: { escalated: 1 },
    }),
  ];

  it('sums everything into one row without grouping', () => {
    // Act
    const rows = summarise(aggregates, {}, []);

    // Assess
    expect(rows).toEqual([
      {
        group: {},
        referred: 7,
        triaged: 2,
        escalated: 2,
        accepted: 4,
        declined: 1,
        declineReasons: {
          'out-of-area': 0,
          'not-eligible': 0,
          'no-capacity': 1,
          'already-known': 0,
          other: 0,
        },
        contacted: 3,
        engaged: 2,
        closed: 1,
        outcomes: {
          completed: 1,
          disengaged: 0,
          'moved-away': 0,
          'referred-on': 0,
          'declined-support': 0,
          'safeguarding-escalated': 0,
        },
        withdrawn: 1,
        overdue: { accept: 2, firstContact: 1 },
        current: {
          awaitingDecision: 2,
          awaitingFirstContact: 1,
          awaitingEngagement: 0,
          engaged: 1,
          declinedAwaitingReroute: 0,
        },
        acceptanceRate: 0.571,
        engagementRate: 0.286,
        timeToFirstContactHours: { median: 24, p90: 24 },
        timeToEngagementHours: { median: 72, p90: '>720' },
      },
    ]);
  });

  it('groups by spoke and pathway, sorted, with a null rate where nothing was referred', () => {
    // Act
    const rows = summarise(aggregates, {}, ['spoke', 'pathway']);

    // Assess
    expect(rows.map((r) => [r.group, r.referred, r.acceptanceRate, r.engagementRate])).toEqual([
      [{ spoke: 'bristol', pathway: 'weapons-in-schools' }, 0, null, null],
      [{ spoke: 'somerset', pathway: 'admit' }, 7, 0.571, 0.286],
    ]);
    expect(rows[0]?.timeToFirstContactHours).toEqual({ median: null, p90: null });
  });

  it('groups by provider and month, triage apart', () => {
    // Act
    const rows = summarise(aggregates, {}, ['month', 'provider']);

    // Assess
    expect(rows.map((r) => [r.group.month, r.group.provider, r.referred])).toEqual([
      ['2026-05', 'triage', 2],
      ['2026-05', 'turning-point-admit', 4],
      ['2026-06', 'turning-point-admit', 1],
      ['2026-07', 'triage', 0],
    ]);
  });

  it('groups by financial quarter', () => {
    // Act
    const rows = summarise(aggregates, {}, ['quarter']);

    // Assess
    expect(rows.map((r) => [r.group, r.referred, r.escalated])).toEqual([
      [{ quarter: '2026/27 Q1' }, 7, 1],
      [{ quarter: '2026/27 Q2' }, 0, 1],
    ]);
  });

  it('filters by months inclusive, spoke, pathway and provider', () => {
    // Act
    const june = summarise(aggregates, { from: '2026-06', to: '2026-06' }, []);
    const fromJune = summarise(aggregates, { from: '2026-06' }, ['spoke']);
    const toMay = summarise(aggregates, { to: '2026-05', provider: noProvider }, []);
    const bristol = summarise(aggregates, { spoke: 'bristol', pathway: 'weapons-in-schools' }, []);

    // Assess
    expect(june.map((r) => [r.referred, r.accepted, r.withdrawn])).toEqual([[1, 1, 1]]);
    expect(fromJune.map((r) => r.group.spoke)).toEqual(['bristol', 'somerset']);
    expect(toMay.map((r) => [r.referred, r.triaged])).toEqual([[2, 2]]);
    expect(bristol.map((r) => r.escalated)).toEqual([1]);
  });

  it('gives one row of zeros, null rates and times when nothing matches and nothing is grouped', () => {
    // Act
    const total = summarise(aggregates, { spoke: 'nowhere' }, []);
    const grouped = summarise(aggregates, { spoke: 'nowhere' }, ['spoke']);

    // Assess
    expect(total).toHaveLength(1);
    expect(total[0]).toMatchObject({
      group: {},
      referred: 0,
      acceptanceRate: null,
      engagementRate: null,
      timeToEngagementHours: { median: null, p90: null },
    });
    expect(grouped).toEqual([]);
  });

  it('reads aggregates with short or missing histograms and counts', () => {
    // Prepare
    const sparse = aggregate({
      counts: { referred: 3, engaged: 1 },
      timeToFirstContact: [],
      timeToEngagement: [0, 1],
    });

    // Act
    const [row] = summarise([sparse], {}, []);

    // Assess
    expect(row).toMatchObject({
      engagementRate: 0.333,
      timeToFirstContactHours: { median: null, p90: null },
      timeToEngagementHours: { median: 4, p90: 4 },
    });
  });

  it('ignores a repeated grouping key', () => {
    // Act
    const rows = summarise(aggregates, {}, ['spoke', 'spoke']);

    // Assess
    expect(rows.map((r) => r.group)).toEqual([{ spoke: 'bristol' }, { spoke: 'somerset' }]);
  });

  it('adds up: grouped rows sum to the ungrouped row, fact by fact', () => {
    const facts: CountKey[] = [
      'referred',
      'accepted',
      'engaged',
      'declined:other',
      'overdue:accept',
      'stage:awaiting-decision',
    ];
    const aggregateArbitrary = fc.record({
      month: fc.constantFrom('2026-01', '2026-04', '2026-05', '2026-11'),
      spoke: fc.constantFrom('bristol', 'somerset', 'north-somerset'),
      pathway: fc.constantFrom('admit', 'sos-mentoring'),
      provider: fc.constantFrom(noProvider, 'project-28'),
      counts: fc.record(Object.fromEntries(facts.map((f) => [f, fc.nat(20)])) as never),
      timeToFirstContact: fc.constant(histogramOf({})),
      timeToEngagement: fc.constant(histogramOf({})),
    }) as fc.Arbitrary<Aggregate>;
    fc.assert(
      fc.property(
        fc.array(aggregateArbitrary, { maxLength: 20 }),
        fc.subarray(['spoke', 'pathway', 'provider', 'month', 'quarter'] as const),
        (all, groupBy) => {
          // Act
          const [total] = summarise(all, {}, []);
          const rows = summarise(all, {}, groupBy);

          // Assess
          const sum = (pick: (r: (typeof rows)[number]) => number) =>
            rows.reduce((s, r) => s + pick(r), 0);
          expect(sum((r) => r.referred)).toBe(total?.referred);
          expect(sum((r) => r.engaged)).toBe(total?.engaged);
          expect(sum((r) => r.declineReasons.other)).toBe(total?.declineReasons.other);
          expect(sum((r) => r.overdue.accept)).toBe(total?.overdue.accept);
          expect(sum((r) => r.current.awaitingDecision)).toBe(total?.current.awaitingDecision);
        },
      ),
    );
  });
});
