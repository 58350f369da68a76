import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deadlinesFor,
  endOfStaffedWindow,
  overdueChecks,
  type Deadlines,
  type DeadlineTracked,
} from '#shared/domain/deadlines.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { englandAndWalesBankHolidays } from '#shared/partnership/bank-holidays.ts';
import {
  InvalidPartnershipError,
  definePartnership,
  type Pathway,
  type StaffedWindow,
} from '#shared/partnership/schema.ts';
import type { DeadlineKind } from '#events/vocabulary.ts';

const admit = avonAndSomerset.pathways.find((p) => p.id === 'admit')!;
const mentoring = avonAndSomerset.pathways.find((p) => p.id === 'sos-mentoring')!;
const bankHolidays = englandAndWalesBankHolidays;

describe('deadlinesFor: Admit received inside its staffed window (same shift)', () => {
  it('is due by Friday 24:00 London when received Friday 22:40 GMT', () => {
    // Prepare
    const receivedAt = new Date('2026-11-20T22:40:00Z');

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: admit,
      responseExpected: 'same-shift',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-11-21T00:00:00.000Z',
      firstContactBy: '2026-11-21T00:00:00.000Z',
    });
  });

  it('is due by Saturday 24:00 BST (23:00 UTC) when received Saturday 19:30 BST', () => {
    // Prepare
    const receivedAt = new Date('2026-10-24T18:30:00Z');

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: admit,
      responseExpected: 'same-shift',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-10-24T23:00:00.000Z',
      firstContactBy: '2026-10-24T23:00:00.000Z',
    });
  });

  it.each([
    ['the first minute, Friday 18:00 GMT', '2026-11-20T18:00:00Z', '2026-11-21T00:00:00.000Z'],
    ['the last second, Saturday 23:59:59 GMT', '2026-11-21T23:59:59Z', '2026-11-22T00:00:00.000Z'],
    ['Friday 18:00 BST, in summer', '2026-06-05T17:00:00Z', '2026-06-05T23:00:00.000Z'],
    [
      'Saturday 31 October 2026, the first in GMT',
      '2026-10-31T20:00:00Z',
      '2026-11-01T00:00:00.000Z',
    ],
    [
      'Saturday 28 March 2026, the night the clocks go forward (midnight still GMT)',
      '2026-03-28T21:00:00Z',
      '2026-03-29T00:00:00.000Z',
    ],
    [
      'Friday 31 December 2027, whose window ends in the new year',
      '2027-12-31T19:00:00Z',
      '2028-01-01T00:00:00.000Z',
    ],
    [
      'Saturday 28 February 2026, whose window ends on 1 March',
      '2026-02-28T19:00:00Z',
      '2026-03-01T00:00:00.000Z',
    ],
  ])('ends with the window: %s', (_, received, expected) => {
    // Prepare
    const receivedAt = new Date(received);

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: admit,
      responseExpected: 'same-shift',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({ acceptBy: expected, firstContactBy: expected });
  });

  it('ignores configured working days, which apply outside the window', () => {
    // Prepare
    const pathway = { ...admit, deadlines: { acceptWithinWorkingDays: 3 } };

    // Act
    const deadlines = deadlinesFor({
      receivedAt: new Date('2026-11-20T22:40:00Z'),
      pathway,
      responseExpected: 'same-shift',
      bankHolidays,
    });

    // Assess
    expect(deadlines.acceptBy).toBe('2026-11-21T00:00:00.000Z');
  });

  it('falls back to working days when no configured window holds the receipt time', () => {
    // Prepare: the window was moved since the referral was told "same shift"
    const pathway = {
      ...admit,
      staffedWindows: [
        { days: ['sun'], from: '18:00', to: '24:00', timeZone: 'Europe/London' },
      ] satisfies StaffedWindow[],
    };

    // Act
    const deadlines = deadlinesFor({
      receivedAt: new Date('2026-11-20T22:40:00Z'),
      pathway,
      responseExpected: 'same-shift',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-11-23T22:40:00.000Z',
      firstContactBy: '2026-11-24T22:40:00.000Z',
    });
  });
});

describe('endOfStaffedWindow', () => {
  it('ends a window at its own "to" time, not only at midnight', () => {
    // Prepare
    const dayShift: StaffedWindow = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      from: '09:00',
      to: '17:30',
      timeZone: 'Europe/London',
    };

    // Act
    const end = endOfStaffedWindow(new Date('2026-06-03T10:00:00Z'), [dayShift]);

    // Assess
    expect(end?.toISOString()).toBe('2026-06-03T16:30:00.000Z'); // 17:30 BST
  });

  it('takes the latest end when windows overlap', () => {
    // Prepare
    const windows: StaffedWindow[] = [
      { days: ['fri'], from: '18:00', to: '22:00', timeZone: 'Europe/London' },
      { days: ['fri'], from: '20:00', to: '24:00', timeZone: 'Europe/London' },
    ];

    // Act
    const end = endOfStaffedWindow(new Date('2026-11-20T21:00:00Z'), windows);

    // Assess
    expect(end?.toISOString()).toBe('2026-11-21T00:00:00.000Z');
  });

  it("reads the window on its own time zone's calendar", () => {
    // Prepare
    const newYork: StaffedWindow = {
      days: ['fri'],
      from: '18:00',
      to: '24:00',
      timeZone: 'America/New_York',
    };

    // Act
    const end = endOfStaffedWindow(new Date('2026-11-21T00:30:00Z'), [newYork]);

    // Assess
    expect(end?.toISOString()).toBe('2026-11-21T05:00:00.000Z'); // Saturday 00:00 EST
  });

  it('is undefined outside every window', () => {
    // Prepare
    const windows = admit.staffedWindows ?? [];

    // Act
    const end = endOfStaffedWindow(new Date('2026-11-20T17:59:00Z'), windows);

    // Assess
    expect(end).toBeUndefined();
  });
});

describe('deadlinesFor: working days (standard and next-day aftercare)', () => {
  it('by default accepts within 1 working day and contacts within 2: Friday to Monday and Tuesday', () => {
    // Prepare
    const receivedAt = new Date('2026-11-20T15:30:00Z');

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: mentoring,
      responseExpected: 'standard',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-11-23T15:30:00.000Z',
      firstContactBy: '2026-11-24T15:30:00.000Z',
    });
  });

  it('skips the bank holiday Monday after a Friday', () => {
    // Prepare
    const receivedAt = new Date('2026-05-22T13:00:00Z'); // Friday 14:00 BST

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: mentoring,
      responseExpected: 'standard',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-05-26T13:00:00.000Z',
      firstContactBy: '2026-05-27T13:00:00.000Z',
    });
  });

  it('skips Christmas, the Boxing Day substitute and New Year', () => {
    // Prepare
    const receivedAt = new Date('2026-12-24T10:00:00Z'); // Thursday

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: mentoring,
      responseExpected: 'standard',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-12-29T10:00:00.000Z',
      firstContactBy: '2026-12-30T10:00:00.000Z',
    });
  });

  it('keeps the London wall-clock time across the October clock change', () => {
    // Prepare
    const receivedAt = new Date('2026-10-22T15:00:00Z'); // Thursday 16:00 BST

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: mentoring,
      responseExpected: 'standard',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-10-23T15:00:00.000Z', // Friday 16:00 BST
      firstContactBy: '2026-10-26T16:00:00.000Z', // Monday 16:00 GMT
    });
  });

  it('counts a Saturday referral from Monday 00:00: accept by the end of Monday', () => {
    // Prepare
    const receivedAt = new Date('2026-11-21T14:00:00Z');

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: mentoring,
      responseExpected: 'standard',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-11-24T00:00:00.000Z',
      firstContactBy: '2026-11-25T00:00:00.000Z',
    });
  });

  it('uses working days for Admit outside its window (next-day aftercare)', () => {
    // Prepare
    const receivedAt = new Date('2026-11-21T02:00:00Z'); // Saturday 02:00, after the shift

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: admit,
      responseExpected: 'next-day-aftercare',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-11-24T00:00:00.000Z',
      firstContactBy: '2026-11-25T00:00:00.000Z',
    });
  });

  it("uses the pathway's configured deadlines: accept within 3, first contact within 5", () => {
    // Prepare
    const pathway: Pathway = {
      ...mentoring,
      deadlines: { acceptWithinWorkingDays: 3, firstContactWithinWorkingDays: 5 },
    };

    // Act
    const deadlines = deadlinesFor({
      receivedAt: new Date('2026-11-20T10:00:00Z'), // Friday
      pathway,
      responseExpected: 'standard',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-11-25T10:00:00.000Z', // Wednesday
      firstContactBy: '2026-11-27T10:00:00.000Z', // Friday
    });
  });

  it('takes the default for a deadline the pathway leaves out', () => {
    // Prepare
    const pathway: Pathway = { ...mentoring, deadlines: { firstContactWithinWorkingDays: 3 } };

    // Act
    const deadlines = deadlinesFor({
      receivedAt: new Date('2026-11-23T10:00:00Z'), // Monday
      pathway,
      responseExpected: 'standard',
      bankHolidays,
    });

    // Assess
    expect(deadlines).toEqual({
      acceptBy: '2026-11-24T10:00:00.000Z',
      firstContactBy: '2026-11-26T10:00:00.000Z',
    });
  });

  it('skips the bank holidays it is given and no others', () => {
    // Prepare
    const scottishStAndrewsDay = ['2026-11-30'];

    // Act
    const deadlines = deadlinesFor({
      receivedAt: new Date('2026-11-27T10:00:00Z'), // Friday
      pathway: mentoring,
      responseExpected: 'standard',
      bankHolidays: scottishStAndrewsDay,
    });

    // Assess
    expect(deadlines.acceptBy).toBe('2026-12-01T10:00:00.000Z');
  });

  it('counts in another time zone when told to', () => {
    // Prepare
    const receivedAt = new Date('2026-11-21T01:00:00Z'); // Friday 20:00 in New York

    // Act
    const deadlines = deadlinesFor({
      receivedAt,
      pathway: mentoring,
      responseExpected: 'standard',
      bankHolidays: [],
      timeZone: 'America/New_York',
    });

    // Assess
    expect(deadlines.acceptBy).toBe('2026-11-24T01:00:00.000Z'); // Monday 20:00 EST
  });
});

describe('deadlinesFor properties', () => {
  it('never has first contact due before acceptance, and both after receipt', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2028-10-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('same-shift', 'next-day-aftercare', 'standard' as const),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        (receivedAt, responseExpected, accept, extra) => {
          // Prepare
          const pathway: Pathway = {
            ...admit,
            deadlines: {
              acceptWithinWorkingDays: accept,
              firstContactWithinWorkingDays: accept + extra,
            },
          };

          // Act
          const { acceptBy, firstContactBy } = deadlinesFor({
            receivedAt,
            pathway,
            responseExpected,
            bankHolidays,
          });

          // Assess
          expect(Date.parse(acceptBy)).toBeGreaterThan(receivedAt.getTime());
          expect(Date.parse(firstContactBy)).toBeGreaterThanOrEqual(Date.parse(acceptBy));
        },
      ),
    );
  });
});

const deadlines: Deadlines = {
  acceptBy: '2026-11-23T15:30:00.000Z',
  firstContactBy: '2026-11-24T15:30:00.000Z',
};
const afterBoth = new Date('2026-11-25T09:00:00Z');

describe('overdueChecks: which deadlines each status can miss', () => {
  it.each<[string, DeadlineKind[]]>([
    ['received', ['accept', 'first-contact']],
    ['routed', ['accept', 'first-contact']],
    ['rerouted', ['accept', 'first-contact']],
    ['accepted', ['first-contact']],
    ['declined', []],
    ['contact-attempted', []],
    ['engaged', []],
    ['closed', []],
    ['withdrawn', []],
  ])('a %s referral past both deadlines is overdue for %j', (status, expected) => {
    // Prepare
    const referral: DeadlineTracked = { status, deadlines };

    // Act
    const breached = overdueChecks(referral, afterBoth);

    // Assess
    expect(breached).toEqual(expected);
  });
});

describe('overdueChecks: timing and flags', () => {
  it.each<[string, string, DeadlineKind[]]>([
    ['before acceptBy', '2026-11-23T15:29:59.999Z', []],
    ['exactly at acceptBy', '2026-11-23T15:30:00.000Z', []],
    ['just after acceptBy', '2026-11-23T15:30:00.001Z', ['accept']],
    ['exactly at firstContactBy', '2026-11-24T15:30:00.000Z', ['accept']],
    ['just after firstContactBy', '2026-11-24T15:30:00.001Z', ['accept', 'first-contact']],
  ])('a routed referral %s is overdue for %j', (_, now, expected) => {
    // Prepare
    const referral: DeadlineTracked = { status: 'routed', deadlines };

    // Act
    const breached = overdueChecks(referral, new Date(now));

    // Assess
    expect(breached).toEqual(expected);
  });

  it('skips a deadline already flagged', () => {
    // Prepare
    const referral: DeadlineTracked = {
      status: 'routed',
      deadlines,
      overdue: { accept: '2026-11-23T15:35:00.000Z' },
    };

    // Act
    const breached = overdueChecks(referral, afterBoth);

    // Assess
    expect(breached).toEqual(['first-contact']);
  });

  it('returns nothing when both are flagged', () => {
    // Prepare
    const referral: DeadlineTracked = {
      status: 'rerouted',
      deadlines,
      overdue: {
        accept: '2026-11-23T15:35:00.000Z',
        'first-contact': '2026-11-24T15:35:00.000Z',
      },
    };

    // Act
    const breached = overdueChecks(referral, afterBoth);

    // Assess
    expect(breached).toEqual([]);
  });

  it('flags first contact of an accepted referral whose acceptance was flagged late', () => {
    // Prepare
    const referral: DeadlineTracked = {
      status: 'accepted',
      deadlines,
      overdue: { accept: '2026-11-23T15:35:00.000Z' },
    };

    // Act
    const breached = overdueChecks(referral, afterBoth);

    // Assess
    expect(breached).toEqual(['first-contact']);
  });

  it('only adds deadlines as time passes, and never one already flagged', () => {
    const statuses = ['received', 'routed', 'rerouted', 'accepted', 'contact-attempted'];
    const kinds: DeadlineKind[] = ['accept', 'first-contact'];
    fc.assert(
      fc.property(
        fc.constantFrom(...statuses),
        fc.subarray(kinds),
        fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }),
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        (status, flagged, offset, later) => {
          // Prepare
          const overdue = Object.fromEntries(flagged.map((kind) => [kind, deadlines.acceptBy]));
          const referral: DeadlineTracked = { status, deadlines, overdue };
          const now = new Date(Date.parse(deadlines.acceptBy) + offset);

          // Act
          const first = overdueChecks(referral, now);
          const second = overdueChecks(referral, new Date(now.getTime() + later));

          // Assess
          expect(second).toEqual(expect.arrayContaining(first));
          expect(second.filter((kind) => flagged.includes(kind))).toEqual([]);
        },
      ),
    );
  });
});

describe('definePartnership: pathway deadlines and bank holidays', () => {
  /** Avon and Somerset with the mentoring pathway and the partnership changed. */
  function config(
    mentoringChanges: Record<string, unknown>,
    partnershipChanges: Record<string, unknown> = {},
  ) {
    return {
      ...avonAndSomerset,
      ...partnershipChanges,
      pathways: avonAndSomerset.pathways.map((pathway) =>
        pathway.id === 'sos-mentoring' ? { ...pathway, ...mentoringChanges } : pathway,
      ),
    };
  }
  const mentoringIndex = avonAndSomerset.pathways.findIndex((p) => p.id === 'sos-mentoring');
  const where = `pathways[${mentoringIndex}] (sos-mentoring).deadlines`;

  function problemsOf(raw: unknown): string[] {
    try {
      definePartnership(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidPartnershipError);
      return (error as InvalidPartnershipError).problems;
    }
    throw new Error('definePartnership accepted an invalid config');
  }

  it('accepts deadlines and a bank holiday list', () => {
    // Prepare
    const raw = config(
      { deadlines: { acceptWithinWorkingDays: 2, firstContactWithinWorkingDays: 5 } },
      { bankHolidays: ['2026-11-30', '2027-01-04'] },
    );

    // Act
    const partnership = definePartnership(raw);

    // Assess
    expect(partnership.pathways[mentoringIndex]?.deadlines).toEqual({
      acceptWithinWorkingDays: 2,
      firstContactWithinWorkingDays: 5,
    });
    expect(partnership.bankHolidays).toEqual(['2026-11-30', '2027-01-04']);
  });

  it('accepts an empty deadlines object, meaning the defaults', () => {
    // Prepare
    const raw = config({ deadlines: {} });

    // Act
    const partnership = definePartnership(raw);

    // Assess
    expect(partnership.pathways[mentoringIndex]?.deadlines).toEqual({});
  });

  it.each([
    ['zero days', { acceptWithinWorkingDays: 0 }, `${where}.acceptWithinWorkingDays: `],
    [
      'a fraction',
      { firstContactWithinWorkingDays: 1.5 },
      `${where}.firstContactWithinWorkingDays: `,
    ],
    ['a string', { acceptWithinWorkingDays: '1' }, `${where}.acceptWithinWorkingDays: `],
    ['an unknown key', { acceptWithinDays: 1 }, `${where}: `],
  ])('refuses %s in deadlines, naming the field', (_, deadlinesConfig, prefix) => {
    // Prepare
    const raw = config({ deadlines: deadlinesConfig });

    // Act
    const problems = problemsOf(raw);

    // Assess
    expect(problems).toEqual([expect.stringContaining(prefix)]);
  });

  it('refuses first contact due before acceptance, counting defaults', () => {
    // Prepare
    const raw = config({ deadlines: { acceptWithinWorkingDays: 3 } });

    // Act
    const problems = problemsOf(raw);

    // Assess
    expect(problems).toEqual([
      `${where}: first contact (2 working days) is due before acceptance (3 working days)`,
    ]);
  });

  it.each(['2026-02-30', '2027-02-29', '2026-13-01', '26-12-25', '2026-12-25T00:00:00Z'])(
    'refuses bank holiday "%s" as not a real date',
    (date) => {
      // Prepare
      const raw = config({}, { bankHolidays: ['2026-12-25', date] });

      // Act
      const problems = problemsOf(raw);

      // Assess
      expect(problems).toEqual(['bankHolidays[1]: must be a real date like "2026-12-28"']);
    },
  );

  it('accepts 29 February in a leap year', () => {
    // Prepare
    const raw = config({}, { bankHolidays: ['2028-02-29'] });

    // Act
    const partnership = definePartnership(raw);

    // Assess
    expect(partnership.bankHolidays).toEqual(['2028-02-29']);
  });

  it('refuses a bank holiday listed twice', () => {
    // Prepare
    const raw = config({}, { bankHolidays: ['2026-12-25', '2026-12-25'] });

    // Act
    const problems = problemsOf(raw);

    // Assess
    expect(problems).toEqual(['bankHolidays: "2026-12-25" appears more than once']);
  });
});
