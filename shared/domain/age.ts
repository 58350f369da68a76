// Birthdays turn over at midnight on the UK's clock, not UTC's (an hour apart in summer).
const ukCalendar = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/** The calendar date in the UK at an instant, as numbers. */
function ukDate(at: Date): { year: number; month: number; day: number } {
  const parts = Object.fromEntries(
    ukCalendar.formatToParts(at).map((part) => [part.type, Number(part.value)]),
  ) as Record<'year' | 'month' | 'day', number>;
  return { year: parts.year, month: parts.month, day: parts.day };
}

/**
 * Whole years between a date of birth (YYYY-MM-DD) and an instant, as the UK counts birthdays.
 * @example ageInYears('2010-03-14', new Date('2026-11-20T22:40:00Z')) // 16
 */
export function ageInYears(dateOfBirth: string, at: Date): number {
  const [year, month, day] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const { year: atYear, month: atMonth, day: atDay } = ukDate(at);
  const hadBirthday = atMonth > month || (atMonth === month && atDay >= day);
  return atYear - year - (hadBirthday ? 0 : 1);
}

/** True when the string is a real calendar date in YYYY-MM-DD form (no 31 February). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
