import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  instantAt,
  isWorkingDay,
  wallClockOf,
  type WorkingCalendar,
} from '#shared/domain/working-days.ts';
import { bankHolidaysFor, englandAndWalesBankHolidays } from '#shared/partnership/bank-holidays.ts';

const london: WorkingCalendar = {
  timeZone: 'Europe/London',
  bankHolidays: englandAndWalesBankHolidays,
};

/** "HH:MM" and weekday of an instant on the London wall clock, for readable assertions. */
function londonWall(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

describe('addWorkingDays: received on a working day keeps the London wall-clock time', () => {
  it.each([
    ['Friday afternoon, 1 day: Monday', '2026-11-20T15:30:00Z', 1, '2026-11-23T15:30:00.000Z'],
    ['Monday morning, 1 day: Tuesday', '2026-11-23T10:00:00Z', 1, '2026-11-24T10:00:00.000Z'],
    ['Wednesday, 2 days: Friday', '2026-11-25T09:15:00Z', 2, '2026-11-27T09:15:00.000Z'],
    ['Thursday, 2 days: Monday', '2026-11-26T16:45:00Z', 2, '2026-11-30T16:45:00.000Z'],
    ['Friday, 5 days: the next Friday', '2026-11-20T12:00:00Z', 5, '2026-11-27T12:00:00.000Z'],
    [
      'Friday before the Spring bank holiday (Monday 25 May 2026): Tuesday',
      '2026-05-22T13:00:00Z', // 14:00 BST
      1,
      '2026-05-26T13:00:00.000Z',
    ],
    [
      'Friday before the Summer bank holiday (Monday 31 August 2026), 2 days: Wednesday',
      '2026-08-28T08:00:00Z', // 09:00 BST
      2,
      '2026-09-02T08:00:00.000Z',
    ],
    [
      'Thursday before Easter 2026 (Good Friday 3 April, Easter Monday 6 April): Tuesday',
      '2026-04-02T10:00:00Z', // 11:00 BST
      1,
      '2026-04-07T10:00:00.000Z',
    ],
    [
      'Christmas Eve 2025 (Christmas and Boxing Day on Thursday and Friday): Monday 29th',
      '2025-12-24T16:00:00Z',
      1,
      '2025-12-29T16:00:00.000Z',
    ],
    [
      'Christmas Eve 2026 (Boxing Day substitute on Monday 28th): Tuesday 29th',
      '2026-12-24T10:00:00Z',
      1,
      '2026-12-29T10:00:00.000Z',
    ],
    [
      'Christmas Eve 2027 (both substitutes, Monday 27th and Tuesday 28th): Wednesday 29th',
      '2027-12-24T09:00:00Z',
      1,
      '2027-12-29T09:00:00.000Z',
    ],
    [
      "New Year's Eve 2025: Friday 2 January, skipping New Year's Day",
      '2025-12-31T12:00:00Z',
      1,
      '2026-01-02T12:00:00.000Z',
    ],
    [
      "New Year's Eve 2027 (substitute New Year's Day Monday 3 January 2028): Tuesday",
      '2027-12-31T11:00:00Z',
      1,
      '2028-01-04T11:00:00.000Z',
    ],
    [
      'Friday 23:30 BST (22:30 UTC, still Friday in London): Monday 23:30 BST',
      '2026-06-05T22:30:00Z',
      1,
      '2026-06-08T22:30:00.000Z',
    ],
    [
      'Monday 00:30 BST (Sunday 23:30 UTC, already Monday in London): Tuesday 00:30 BST',
      '2026-06-07T23:30:00Z',
      1,
      '2026-06-08T23:30:00.000Z',
    ],
  ])('%s', (_, from, days, expected) => {
    // Prepare
    const receivedAt = new Date(from);

    // Act
    const due = addWorkingDays(receivedAt, days, london);

    // Assess
    expect(due.toISOString()).toBe(expected);
  });
});

describe('addWorkingDays across the clock changes keeps the wall-clock time, not the hours', () => {
  it('October 2026: Friday 15:00 BST to Monday 15:00 GMT, 73 hours later', () => {
    // Prepare
    const friday = new Date('2026-10-23T14:00:00Z');

    // Act
    const due = addWorkingDays(friday, 1, london);

    // Assess
    expect(due.toISOString()).toBe('2026-10-26T15:00:00.000Z');
    expect(londonWall(due)).toBe('Mon 26 Oct, 15:00');
    expect(due.getTime() - friday.getTime()).toBe(73 * 60 * 60 * 1000);
  });

  it('March 2026: Friday 15:00 GMT to Monday 15:00 BST, 71 hours later', () => {
    // Prepare
    const friday = new Date('2026-03-27T15:00:00Z');

    // Act
    const due = addWorkingDays(friday, 1, london);

    // Assess
    expect(due.toISOString()).toBe('2026-03-30T14:00:00.000Z');
    expect(londonWall(due)).toBe('Mon 30 Mar, 15:00');
    expect(due.getTime() - friday.getTime()).toBe(71 * 60 * 60 * 1000);
  });

  it('October 2026, 2 days: Thursday 09:00 BST to Monday 09:00 GMT', () => {
    // Prepare
    const thursday = new Date('2026-10-22T08:00:00Z');

    // Act
    const due = addWorkingDays(thursday, 2, london);

    // Assess
    expect(due.toISOString()).toBe('2026-10-26T09:00:00.000Z');
  });

  it('March 2027 (clocks forward on 28 March, after Good Friday and before Easter Monday)', () => {
    // Prepare
    const thursday = new Date('2027-03-25T17:30:00Z'); // 17:30 GMT

    // Act
    const due = addWorkingDays(thursday, 1, london);

    // Assess
    expect(londonWall(due)).toBe('Tue 30 Mar, 17:30');
    expect(due.toISOString()).toBe('2027-03-30T16:30:00.000Z');
  });
});

describe('addWorkingDays: received on a non-working day counts from 00:00 on the next working day', () => {
  it.each([
    [
      'Saturday 14:00, 1 day: Tuesday 00:00 (end of Monday)',
      '2026-11-21T14:00:00Z',
      1,
      '2026-11-24T00:00:00.000Z',
    ],
    [
      'Saturday 14:00, 2 days: Wednesday 00:00',
      '2026-11-21T14:00:00Z',
      2,
      '2026-11-25T00:00:00.000Z',
    ],
    ['Sunday 23:59, 1 day: Tuesday 00:00', '2026-11-22T23:59:00Z', 1, '2026-11-24T00:00:00.000Z'],
    [
      'Sunday 00:30 BST (Saturday 23:30 UTC), 1 day: Tuesday 00:00 BST',
      '2026-06-06T23:30:00Z',
      1,
      '2026-06-08T23:00:00.000Z',
    ],
    [
      'Spring bank holiday Monday 10:00 BST, 1 day: Wednesday 00:00 BST (end of Tuesday)',
      '2026-05-25T09:00:00Z',
      1,
      '2026-05-26T23:00:00.000Z',
    ],
    [
      'Christmas Day 2026, 1 day: Wednesday 30 December 00:00 (end of Tuesday 29th)',
      '2026-12-25T11:00:00Z',
      1,
      '2026-12-30T00:00:00.000Z',
    ],
    [
      'Saturday 24 October 2026 12:00 BST, before the clocks go back: Tuesday 00:00 GMT',
      '2026-10-24T11:00:00Z',
      1,
      '2026-10-27T00:00:00.000Z',
    ],
    [
      'Saturday 28 March 2026 12:00 GMT, before the clocks go forward: Tuesday 00:00 BST',
      '2026-03-28T12:00:00Z',
      1,
      '2026-03-30T23:00:00.000Z',
    ],
  ])('%s', (_, from, days, expected) => {
    // Prepare
    const receivedAt = new Date(from);

    // Act
    const due = addWorkingDays(receivedAt, days, london);

    // Assess
    expect(due.toISOString()).toBe(expected);
  });

  it('never puts a weekend referral due after one received early on the Monday', () => {
    // Prepare
    const lateSunday = new Date('2026-11-22T23:00:00Z');
    const earlyMonday = new Date('2026-11-23T08:00:00Z');

    // Act
    const sundayDue = addWorkingDays(lateSunday, 1, london);
    const mondayDue = addWorkingDays(earlyMonday, 1, london);

    // Assess
    expect(sundayDue.getTime()).toBeLessThanOrEqual(mondayDue.getTime());
  });
});

describe('addWorkingDays with 0 days and bad input', () => {
  it('returns the instant itself on a working day', () => {
    // Prepare
    const tuesday = new Date('2026-11-24T10:11:12.345Z');

    // Act
    const due = addWorkingDays(tuesday, 0, london);

    // Assess
    expect(due.toISOString()).toBe('2026-11-24T10:11:12.345Z');
  });

  it('returns the start of the next working day from a weekend', () => {
    // Prepare
    const saturday = new Date('2026-06-06T12:00:00Z');

    // Act
    const due = addWorkingDays(saturday, 0, london);

    // Assess
    expect(due.toISOString()).toBe('2026-06-07T23:00:00.000Z'); // Monday 00:00 BST
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s working days', (days) => {
    // Prepare
    const tuesday = new Date('2026-11-24T10:00:00Z');

    // Act
    const attempt = () => addWorkingDays(tuesday, days, london);

    // Assess
    expect(attempt).toThrow(RangeError);
  });

  it('refuses a bank holiday that is not an ISO date', () => {
    // Prepare
    const calendar = { timeZone: 'Europe/London', bankHolidays: ['25/12/2026'] };

    // Act
    const attempt = () => addWorkingDays(new Date('2026-11-24T10:00:00Z'), 1, calendar);

    // Assess
    expect(attempt).toThrow('Bank holiday "25/12/2026" is not an ISO date like "2026-12-28"');
  });

  it('refuses an invalid date', () => {
    // Prepare
    const invalid = new Date('not a date');

    // Act
    const attempt = () => addWorkingDays(invalid, 1, london);

    // Assess
    expect(attempt).toThrow(RangeError);
  });
});

describe('addWorkingDays with another calendar', () => {
  it("counts on the calendar's own time zone: Friday 20:00 in New York is Saturday in London", () => {
    // Prepare
    const newYork = { timeZone: 'America/New_York', bankHolidays: [] };
    const fridayEvening = new Date('2026-11-21T01:00:00Z'); // Friday 20:00 EST

    // Act
    const inNewYork = addWorkingDays(fridayEvening, 1, newYork);
    const inLondon = addWorkingDays(fridayEvening, 1, { ...london, bankHolidays: [] });

    // Assess
    expect(inNewYork.toISOString()).toBe('2026-11-24T01:00:00.000Z'); // Monday 20:00 EST
    expect(inLondon.toISOString()).toBe('2026-11-24T00:00:00.000Z'); // Tuesday 00:00 GMT
  });

  it('skips only the bank holidays it is given', () => {
    // Prepare
    const friday = new Date('2026-05-22T13:00:00Z');
    const noHolidays = { timeZone: 'Europe/London', bankHolidays: [] };

    // Act
    const due = addWorkingDays(friday, 1, noHolidays);

    // Assess
    expect(due.toISOString()).toBe('2026-05-25T13:00:00.000Z');
  });
});

describe('isWorkingDay, on the London calendar', () => {
  it.each([
    ['Monday 23 November 2026', '2026-11-23T12:00:00Z', true],
    ['Friday 20 November 2026, 23:59 GMT', '2026-11-20T23:59:59Z', true],
    ['Saturday 21 November 2026', '2026-11-21T12:00:00Z', false],
    ['Sunday 22 November 2026', '2026-11-22T12:00:00Z', false],
    ['Christmas Day 2026 (a Friday)', '2026-12-25T12:00:00Z', false],
    ['Boxing Day substitute, Monday 28 December 2026', '2026-12-28T12:00:00Z', false],
    ['Tuesday 29 December 2026', '2026-12-29T12:00:00Z', true],
    ['Monday 00:30 BST, which is Sunday 23:30 UTC', '2026-06-07T23:30:00Z', true],
    ['Saturday 00:30 BST, which is Friday 23:30 UTC', '2026-06-05T23:30:00Z', false],
    ['Spring bank holiday at 00:30 BST, Sunday 23:30 UTC', '2026-05-24T23:30:00Z', false],
  ])('%s is %s', (_, instant, expected) => {
    // Prepare
    const at = new Date(instant);

    // Act
    const working = isWorkingDay(at, london);

    // Assess
    expect(working).toBe(expected);
  });
});

describe('wallClockOf and instantAt', () => {
  it('reads British Summer Time', () => {
    // Prepare
    const at = new Date('2026-06-05T17:00:00.250Z');

    // Act
    const wall = wallClockOf(at, 'Europe/London');

    // Assess
    expect(wall).toEqual({
      year: 2026,
      month: 6,
      day: 5,
      hour: 18,
      minute: 0,
      second: 0,
      millisecond: 250,
    });
  });

  it('takes midnight starting 25 October 2026 as BST and midnight starting 26 October as GMT', () => {
    // Prepare
    const midnight = { hour: 0, minute: 0, second: 0, millisecond: 0 };

    // Act
    const sunday = instantAt({ year: 2026, month: 10, day: 25, ...midnight }, 'Europe/London');
    const monday = instantAt({ year: 2026, month: 10, day: 26, ...midnight }, 'Europe/London');

    // Assess
    expect(sunday.toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(monday.toISOString()).toBe('2026-10-26T00:00:00.000Z');
  });

  it('takes the first of the two 01:30s when the clocks go back', () => {
    // Prepare
    const wall = { year: 2026, month: 10, day: 25, hour: 1, minute: 30, second: 0, millisecond: 0 };

    // Act
    const at = instantAt(wall, 'Europe/London');

    // Assess
    expect(at.toISOString()).toBe('2026-10-25T00:30:00.000Z'); // 01:30 BST, not 01:30 GMT
  });

  it('moves a time the clocks skip on by the hour skipped', () => {
    // Prepare
    const wall = { year: 2026, month: 3, day: 29, hour: 1, minute: 30, second: 0, millisecond: 0 };

    // Act
    const at = instantAt(wall, 'Europe/London');

    // Assess
    expect(at.toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 02:30 BST
  });
});

describe('englandAndWalesBankHolidays (GOV.UK, 2025-2028)', () => {
  it('has the eight bank holidays of each year, in order, once each', () => {
    // Prepare
    const years = ['2025', '2026', '2027', '2028'];

    // Act
    const perYear = years.map(
      (year) => englandAndWalesBankHolidays.filter((date) => date.startsWith(`${year}-`)).length,
    );
    const sorted = [...englandAndWalesBankHolidays].sort();

    // Assess
    expect(perYear).toEqual([8, 8, 8, 8]);
    expect(englandAndWalesBankHolidays).toEqual(sorted);
    expect(new Set(englandAndWalesBankHolidays).size).toBe(englandAndWalesBankHolidays.length);
  });

  it('lists only real dates falling Monday to Friday (weekend holidays move to substitutes)', () => {
    // Prepare
    const weekdayOf = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();

    // Act
    const weekendOrInvalid = englandAndWalesBankHolidays.filter((date) => {
      const weekday = weekdayOf(date);
      return Number.isNaN(weekday) || weekday === 0 || weekday === 6;
    });
    const roundTrips = englandAndWalesBankHolidays.every(
      (date) => new Date(`${date}T12:00:00Z`).toISOString().slice(0, 10) === date,
    );

    // Assess
    expect(weekendOrInvalid).toEqual([]);
    expect(roundTrips).toBe(true);
  });

  it('has the substitute days for weekend Christmases and New Years', () => {
    // Prepare
    const substitutes = ['2026-12-28', '2027-12-27', '2027-12-28', '2028-01-03'];

    // Act
    const listed = substitutes.filter((date) => englandAndWalesBankHolidays.includes(date));

    // Assess
    expect(listed).toEqual(substitutes);
  });

  it('cannot be changed at run time', () => {
    // Prepare
    const list = englandAndWalesBankHolidays as string[];

    // Act
    const attempt = () => list.push('2026-07-01');

    // Assess
    expect(attempt).toThrow(TypeError);
  });
});

describe('bankHolidaysFor', () => {
  it("uses England and Wales's when the partnership sets none", () => {
    // Prepare
    const partnership = {};

    // Act
    const holidays = bankHolidaysFor(partnership);

    // Assess
    expect(holidays).toBe(englandAndWalesBankHolidays);
  });

  it("uses the partnership's own list when it sets one", () => {
    // Prepare
    const scottish = ['2026-01-02', '2026-08-03', '2026-11-30'];

    // Act
    const holidays = bankHolidaysFor({ bankHolidays: scottish });

    // Assess
    expect(holidays).toEqual(scottish);
  });
});

describe('addWorkingDays properties (London, 2025-2028)', () => {
  const anInstant = fc.date({
    min: new Date('2025-01-01T00:00:00Z'),
    max: new Date('2028-10-31T23:59:59Z'),
    noInvalidDate: true,
  });
  const someDays = fc.integer({ min: 1, max: 30 });

  it('lands on a working day, later than the instant it counts from', () => {
    fc.assert(
      fc.property(anInstant, someDays, (from, days) => {
        // Prepare: from and days come from the generators

        // Act
        const due = addWorkingDays(from, days, london);

        // Assess
        expect(isWorkingDay(due, london)).toBe(true);
        expect(due.getTime()).toBeGreaterThan(from.getTime());
      }),
    );
  });

  it('is later with every extra working day', () => {
    fc.assert(
      fc.property(anInstant, someDays, (from, days) => {
        // Prepare: from and days come from the generators

        // Act
        const due = addWorkingDays(from, days, london);
        const dayLater = addWorkingDays(from, days + 1, london);

        // Assess
        expect(dayLater.getTime()).toBeGreaterThan(due.getTime());
      }),
    );
  });

  it('never falls due earlier for a referral received later', () => {
    fc.assert(
      fc.property(anInstant, anInstant, someDays, (a, b, days) => {
        // Prepare
        const [earlier, later] = a <= b ? [a, b] : [b, a];

        // Act
        const earlierDue = addWorkingDays(earlier, days, london);
        const laterDue = addWorkingDays(later, days, london);

        // Assess
        expect(laterDue.getTime()).toBeGreaterThanOrEqual(earlierDue.getTime());
      }),
    );
  });

  it('keeps the London wall-clock time when received on a working day', () => {
    fc.assert(
      fc.property(anInstant, someDays, (from, days) => {
        // Prepare
        fc.pre(isWorkingDay(from, london));

        // Act
        const due = wallClockOf(addWorkingDays(from, days, london), 'Europe/London');
        const received = wallClockOf(from, 'Europe/London');

        // Assess
        expect([due.hour, due.minute, due.second, due.millisecond]).toEqual([
          received.hour,
          received.minute,
          received.second,
          received.millisecond,
        ]);
      }),
    );
  });
});
