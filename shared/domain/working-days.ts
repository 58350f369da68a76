/**
 * Working days on a wall clock: Monday to Friday, except bank holidays, in one time zone.
 *
 * Definition: "N working days after an instant" is the same wall-clock time, in the calendar's
 * time zone, on the Nth working day after the calendar day of that instant. So a referral received
 * at 15:30 on a Friday is due, one working day later, at 15:30 on the Monday (or the Tuesday when
 * the Monday is a bank holiday), whether or not the clocks changed over the weekend.
 *
 * Received on a non-working day (a weekend or bank holiday): the count starts at the start of the
 * next working day, 00:00 on its wall clock, as if received then. Saturday 14:00 plus one working
 * day is therefore Tuesday 00:00, that is, the end of Monday: the provider has the whole of Monday,
 * as it would for a referral received at any time on Friday. Midnight rather than 09:00 keeps the
 * deadline from moving earlier as receipt moves later: a referral received Sunday 23:00 is never due
 * after one received Monday 08:00 (09:00 would make it Tuesday 09:00 against Tuesday 08:00).
 *
 * Wall times are turned back into instants on the zone's rules for that date (British Summer Time
 * or GMT). A wall time that happens twice (clocks going back) means the first of the two; one that
 * does not exist (clocks going forward) is moved on by the gap, as the clocks are. Neither happens
 * on a working day in Europe/London, whose clocks change early on Sunday mornings.
 */

/** The calendar working days are counted on. */
export interface WorkingCalendar {
  /** IANA time zone whose calendar and wall clock are used, e.g. "Europe/London". */
  timeZone: string;
  /** ISO dates ("2026-12-28") that are not working days though they fall Monday to Friday. */
  bankHolidays: readonly string[];
}

/** A time on a wall clock: calendar date and time of day, with no zone. */
export interface WallClock {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const dayMs = 24 * 60 * 60 * 1000;
const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function assertValid(at: Date, name: string): void {
  if (Number.isNaN(at.getTime())) throw new RangeError(`${name} is not a valid date`);
}

/**
 * The wall-clock reading of an instant in a time zone.
 * @example wallClockOf(new Date('2026-06-05T17:00:00Z'), 'Europe/London') // 18:00 on 5 June (BST)
 */
export function wallClockOf(at: Date, timeZone: string): WallClock {
  assertValid(at, 'The instant');
  const parts = formatterFor(timeZone).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
    millisecond: at.getUTCMilliseconds(),
  };
}

/** Milliseconds since the epoch of a wall-clock reading taken as if it were UTC. */
function asUtc(wall: WallClock): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  return asUtc(wallClockOf(new Date(instant), timeZone)) - instant;
}

/**
 * The instant a wall clock in the time zone shows the given reading. A reading shown twice (clocks
 * going back) gives the first; a reading never shown (clocks going forward) is moved on by the gap.
 * @example instantAt({ year: 2026, month: 10, day: 25, hour: 0, minute: 0, second: 0, millisecond: 0 }, 'Europe/London')
 *   // 2026-10-24T23:00:00.000Z: midnight BST
 */
export function instantAt(wall: WallClock, timeZone: string): Date {
  const local = asUtc(wall);
  // Zone offsets are under a day, and clocks change at most once in two days.
  const before = offsetAt(local - dayMs, timeZone);
  const after = offsetAt(local + dayMs, timeZone);
  const candidates = [before, after]
    .map((offset) => local - offset)
    .filter((instant) => offsetAt(instant, timeZone) === local - instant);
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return new Date(local - before);
}

/** Days since 1970-01-01 of a calendar date. */
function dayNumberOf(wall: Pick<WallClock, 'year' | 'month' | 'day'>): number {
  return Math.round(asUtc({ ...wall, hour: 0, minute: 0, second: 0, millisecond: 0 }) / dayMs);
}

function isoDateOf(dayNumber: number): string {
  return new Date(dayNumber * dayMs).toISOString().slice(0, 10);
}

function holidaySet(bankHolidays: readonly string[]): ReadonlySet<string> {
  for (const date of bankHolidays) {
    if (!isoDatePattern.test(date)) {
      throw new RangeError(`Bank holiday "${date}" is not an ISO date like "2026-12-28"`);
    }
  }
  return new Set(bankHolidays);
}

function isWorkingDayNumber(dayNumber: number, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(dayNumber * dayMs).getUTCDay(); // 0 is Sunday
  return weekday !== 0 && weekday !== 6 && !holidays.has(isoDateOf(dayNumber));
}

function nextWorkingDay(dayNumber: number, holidays: ReadonlySet<string>): number {
  let next = dayNumber + 1;
  while (!isWorkingDayNumber(next, holidays)) next += 1;
  return next;
}

/**
 * True when the calendar day of the instant, in the calendar's time zone, is Monday to Friday and
 * not a bank holiday.
 * @example isWorkingDay(new Date('2026-12-28T10:00:00Z'), { timeZone: 'Europe/London', bankHolidays: ['2026-12-28'] }) // false
 */
export function isWorkingDay(at: Date, calendar: WorkingCalendar): boolean {
  const wall = wallClockOf(at, calendar.timeZone);
  return isWorkingDayNumber(dayNumberOf(wall), holidaySet(calendar.bankHolidays));
}

/**
 * The instant `days` working days after `from`: the same wall-clock time on the `days`th working
 * day after `from`'s calendar day, or, when `from` is on a non-working day, 00:00 on the `days`th
 * working day after the next working day (see the definition at the top of this file). With 0 days
 * it is `from` itself on a working day, else 00:00 on the next working day.
 * @example addWorkingDays(new Date('2026-11-20T15:30:00Z'), 1, { timeZone: 'Europe/London', bankHolidays: [] })
 *   // 2026-11-23T15:30:00.000Z: Friday 15:30 to Monday 15:30
 */
export function addWorkingDays(from: Date, days: number, calendar: WorkingCalendar): Date {
  if (!Number.isInteger(days) || days < 0) {
    throw new RangeError(`Working days must be a whole number, 0 or more: got ${days}`);
  }
  const holidays = holidaySet(calendar.bankHolidays);
  const received = wallClockOf(from, calendar.timeZone);
  let dayNumber = dayNumberOf(received);
  let time: Pick<WallClock, 'hour' | 'minute' | 'second' | 'millisecond'> = received;
  if (!isWorkingDayNumber(dayNumber, holidays)) {
    dayNumber = nextWorkingDay(dayNumber, holidays);
    time = { hour: 0, minute: 0, second: 0, millisecond: 0 };
  } else if (days === 0) {
    // Not read back from the wall clock: in an hour the clocks repeat, that would be the first one.
    return new Date(from.getTime());
  }
  for (let counted = 0; counted < days; counted += 1) {
    dayNumber = nextWorkingDay(dayNumber, holidays);
  }
  const due = new Date(dayNumber * dayMs);
  return instantAt(
    {
      year: due.getUTCFullYear(),
      month: due.getUTCMonth() + 1,
      day: due.getUTCDate(),
      hour: time.hour,
      minute: time.minute,
      second: time.second,
      millisecond: time.millisecond,
    },
    calendar.timeZone,
  );
}
