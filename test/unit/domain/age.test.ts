import { describe, expect, it } from 'vitest';
import { ageInYears, isCalendarDate } from '#shared/domain/age.ts';

describe('ageInYears', () => {
  it.each([
    ['2010-03-14', '2026-11-20T22:40:00Z', 16],
    ['2010-03-14', '2026-03-13T23:59:59Z', 15],
    ['2010-03-14', '2026-03-14T00:00:00Z', 16],
    ['2010-12-31', '2026-12-30T12:00:00Z', 15],
    ['2010-12-31', '2026-12-31T12:00:00Z', 16],
    ['2026-11-20', '2026-11-20T08:00:00Z', 0],
    ['2026-11-21', '2026-11-20T08:00:00Z', -1],
  ])('counts someone born %s, at %s, as aged %i', (dateOfBirth, at, expected) => {
    // Prepare
    const instant = new Date(at);

    // Act
    const age = ageInYears(dateOfBirth, instant);

    // Assess
    expect(age).toBe(expected);
  });

  it('counts a 29 February birthday on 1 March in a common year, as UK law does', () => {
    // Prepare
    const dateOfBirth = '2008-02-29';

    // Act
    const dayBefore = ageInYears(dateOfBirth, new Date('2026-02-28T12:00:00Z'));
    const firstOfMarch = ageInYears(dateOfBirth, new Date('2026-03-01T00:00:00Z'));
    const leapYear = ageInYears(dateOfBirth, new Date('2028-02-29T00:00:00Z'));

    // Assess
    expect(dayBefore).toBe(17);
    expect(firstOfMarch).toBe(18);
    expect(leapYear).toBe(20);
  });
});

describe('isCalendarDate', () => {
  it.each(['2010-03-14', '2024-02-29', '2000-02-29', '1999-12-31', '2026-01-01'])(
    'accepts the real date %s',
    (value) => {
      // Prepare
      const input = value;

      // Act
      const result = isCalendarDate(input);

      // Assess
      expect(result).toBe(true);
    },
  );

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2010-02-30',
    '2010-04-31',
    '2010-13-01',
    '2010-00-01',
    '2010-01-00',
    '2010-1-1',
    '10-01-01',
    '2010/01/01',
    '2010-01-01T00:00:00Z',
    ' 2010-01-01',
    '',
  ])('refuses "%s"', (value) => {
    // Prepare
    const input = value;

    // Act
    const result = isCalendarDate(input);

    // Assess
    expect(result).toBe(false);
  });
});
