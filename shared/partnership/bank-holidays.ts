import type { Partnership } from './schema.ts';

/**
 * Bank holidays in England and Wales, 2025 to 2028, as ISO dates in date order.
 *
 * Source: GOV.UK, "UK bank holidays" (https://www.gov.uk/bank-holidays, data at
 * https://www.gov.uk/bank-holidays.json, division "england-and-wales"). Where a holiday falls at a
 * weekend the substitute weekday is listed, as GOV.UK lists it. 2028 is worked out from the
 * standing rules (Easter Sunday 16 April 2028; New Year's Day on a Saturday, so Monday 3 January)
 * ahead of GOV.UK publishing it: check it, and add any special holiday (such as a royal occasion)
 * announced later. Scotland and Northern Ireland have different holidays: a partnership there sets
 * its own `bankHolidays`.
 */
export const englandAndWalesBankHolidays: readonly string[] = Object.freeze([
  // 2025
  '2025-01-01', // New Year's Day
  '2025-04-18', // Good Friday
  '2025-04-21', // Easter Monday
  '2025-05-05', // Early May bank holiday
  '2025-05-26', // Spring bank holiday
  '2025-08-25', // Summer bank holiday
  '2025-12-25', // Christmas Day
  '2025-12-26', // Boxing Day
  // 2026
  '2026-01-01', // New Year's Day
  '2026-04-03', // Good Friday
  '2026-04-06', // Easter Monday
  '2026-05-04', // Early May bank holiday
  '2026-05-25', // Spring bank holiday
  '2026-08-31', // Summer bank holiday
  '2026-12-25', // Christmas Day
  '2026-12-28', // Boxing Day (substitute day: 26 December is a Saturday)
  // 2027
  '2027-01-01', // New Year's Day
  '2027-03-26', // Good Friday
  '2027-03-29', // Easter Monday
  '2027-05-03', // Early May bank holiday
  '2027-05-31', // Spring bank holiday
  '2027-08-30', // Summer bank holiday
  '2027-12-27', // Christmas Day (substitute day: 25 December is a Saturday)
  '2027-12-28', // Boxing Day (substitute day: 26 December is a Sunday)
  // 2028 (from the standing rules; see above)
  '2028-01-03', // New Year's Day (substitute day: 1 January is a Saturday)
  '2028-04-14', // Good Friday
  '2028-04-17', // Easter Monday
  '2028-05-01', // Early May bank holiday
  '2028-05-29', // Spring bank holiday
  '2028-08-28', // Summer bank holiday
  '2028-12-25', // Christmas Day
  '2028-12-26', // Boxing Day
]);

/**
 * The bank holidays deadlines skip for a partnership: its own list when it sets one, else England
 * and Wales's.
 * @example bankHolidaysFor(avonAndSomerset) // englandAndWalesBankHolidays
 */
export function bankHolidaysFor(partnership: Pick<Partnership, 'bankHolidays'>): readonly string[] {
  return partnership.bankHolidays ?? englandAndWalesBankHolidays;
}
