import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSubmission, type SubmissionCheck } from '#shared/domain/intake.ts';
import { inStaffedWindow } from '#shared/domain/staffed-window.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import { keyPaths, objectPaths, pointerOf, valueAt, withValue } from './json-walk.ts';
import { fridayNight, validBodyFor } from './submissions.ts';
import { pathwayKinds } from '#events/vocabulary.ts';

const examples = exampleFileNames().map((name) => exampleReferral(name));
const check = (body: unknown, receivedAt = fridayNight) =>
  checkSubmission(body, receivedAt, avonAndSomerset);

/** A check result is either an accepted submission or a non-empty list of pointed problems. */
function expectWellFormed(result: SubmissionCheck): void {
  if (result.ok) {
    expect(result.ageYears).toBeGreaterThanOrEqual(0);
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(problem.pointer).toMatch(/^(\/[^/]*)*$/);
    expect(problem.detail).toEqual(expect.any(String));
    expect(problem.detail.length).toBeGreaterThan(0);
  }
}

const anExample = fc.constantFrom(...examples);
const anExampleAndKeyPath = anExample.chain((example) =>
  fc.tuple(fc.constant(example), fc.constantFrom(...keyPaths(example))),
);
const anExampleAndObjectPath = anExample.chain((example) =>
  fc.tuple(fc.constant(example), fc.constantFrom(...objectPaths(example))),
);

// Text the intake takes: no control characters other than tab and line breaks, not blank.
const forbidden =
  // eslint-disable-next-line no-control-regex -- the property is about control characters
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;
const acceptableText = (max: number) =>
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: max })
    .filter((value) => value.trim().length > 0 && !forbidden.test(value));
const name = fc.stringMatching(/^[A-Za-z][A-Za-z' -]{0,40}[a-z]$/);
const postcode = fc
  .tuple(
    fc.stringMatching(/^[A-Z]{1,2}\d[A-Z\d]?$/),
    fc.constantFrom(' ', ''),
    fc.stringMatching(/^\d[A-Z]{2}$/),
    fc.boolean(),
  )
  .map(([outward, space, inward, lower]) => {
    const code = `${outward}${space}${inward}`;
    return lower ? code.toLowerCase() : code;
  });

/** A date-only string for the UTC calendar day of an instant. */
const dayOf = (instant: Date) => instant.toISOString().slice(0, 10);

/** Whole years from a date of birth to an instant's UTC date: an independent formula. */
// Birthdays turn over on the London calendar (the oracle clock below).
function referenceAge(dateOfBirth: string, at: Date): number {
  const asNumber = (date: string) => Number(date.replaceAll('-', ''));
  return Math.floor((asNumber(dayOf(londonWallClock(at))) - asNumber(dateOfBirth)) / 10000);
}

const receivedInstant = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2035-12-31T23:59:59Z'),
  noInvalidDate: true,
});

describe('intake properties', () => {
  it('answers any JSON value with a result, never an exception', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        // Prepare
        const receivedAt = fridayNight;

        // Act
        const result = check(body, receivedAt);

        // Assess
        expect(result.ok).toBe(false);
        expectWellFormed(result);
      }),
      { numRuns: 500 },
    );
  });

  it('answers any JavaScript value, null-prototype objects and all, with a result', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withNullPrototype: true,
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
        }),
        (body) => {
          // Prepare
          const receivedAt = fridayNight;

          // Act
          const result = check(body, receivedAt);

          // Assess
          expectWellFormed(result);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports a bad value in one field at that field only (the pathway aside)', () => {
    fc.assert(
      fc.property(
        anExampleAndKeyPath.filter(([, path]) => pointerOf(path) !== '/pathway'),
        fc.jsonValue({ maxDepth: 2 }),
        ([example, path], value) => {
          // Prepare
          const body = withValue(example, path, value);

          // Act
          const result = check(body);

          // Assess
          expectWellFormed(result);
          if (!result.ok) {
            for (const problem of result.problems) {
              expect(`${problem.pointer}/`.startsWith(`${pointerOf(path)}/`)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses any unknown key at any depth and points at it, escaped as JSON Pointer', () => {
    fc.assert(
      fc.property(
        anExampleAndObjectPath,
        fc.string({ maxLength: 12 }),
        fc.jsonValue({ maxDepth: 1 }),
        ([example, path], key, value) => {
          // Prepare
          fc.pre(!Object.hasOwn(valueAt(example, path) as object, key));
          const body = withValue(example, [...path, key], value);

          // Act
          const result = check(body);

          // Assess
          expect(result).toEqual({
            ok: false,
            problems: [
              { pointer: pointerOf([...path, key]), detail: 'is not a field of this referral' },
            ],
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts generated valid submissions, and an accepted submission checks again to itself', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pathwayKinds),
        fc.record({
          givenName: name,
          familyName: name,
          postcode,
          summary: acceptableText(2000),
          referrerName: acceptableText(120),
          subjectAgreed: fc.boolean(),
          ageDays: fc.integer({ min: 0, max: 25 * 365 }),
        }),
        (pathway, fields) => {
          // Prepare
          const example = validBodyFor(pathway);
          const born = new Date(fridayNight.getTime() - fields.ageDays * 86_400_000);
          const body = {
            ...example,
            referrer: { ...(example.referrer as object), name: fields.referrerName },
            subject: {
              givenName: fields.givenName,
              familyName: fields.familyName,
              dateOfBirth: dayOf(born),
              postcode: fields.postcode,
            },
            consent: { ...(example.consent as object), subjectAgreed: fields.subjectAgreed },
            summary: fields.summary,
          };

          // Act
          const first = check(body);
          const again = first.ok && check(JSON.parse(JSON.stringify(first.submission)));

          // Assess
          expect(first).toMatchObject({
            ok: true,
            submission: {
              pathway,
              summary: fields.summary.trim(),
              subject: { postcode: fields.postcode.toUpperCase() },
            },
          });
          expect(again).toEqual(first);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses any control character inside free text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<readonly string[]>(
          ['summary'],
          ['subject', 'givenName'],
          ['referrer', 'role'],
        ),
        fc.stringMatching(/^[A-Za-z]{1,10}$/),
        fc
          .integer({ min: 0, max: 0x206f })
          .filter((code) => forbidden.test(String.fromCharCode(code))),
        fc.stringMatching(/^[A-Za-z]{1,10}$/),
        (path, before, code, after) => {
          // Prepare
          const body = withValue(
            examples[0],
            path,
            `${before}${String.fromCharCode(code)}${after}`,
          );

          // Act
          const result = check(body);

          // Assess
          expect(result).toEqual({
            ok: false,
            problems: [
              {
                pointer: pointerOf(path),
                detail: 'must not contain control or text-direction characters',
              },
            ],
          });
        },
      ),
    );
  });

  it('accepts a date of birth exactly when the age at receipt is 0 to 25, and reports that age', () => {
    fc.assert(
      fc.property(
        receivedInstant,
        fc.integer({ min: -400, max: 30 * 366 }),
        (receivedAt, daysOld) => {
          // Prepare
          const dateOfBirth = dayOf(new Date(receivedAt.getTime() - daysOld * 86_400_000));
          const body = withValue(examples[0], ['subject', 'dateOfBirth'], dateOfBirth);
          const expectedAge = referenceAge(dateOfBirth, receivedAt);

          // Act
          const result = check(body, receivedAt);

          // Assess
          if (expectedAge >= 0 && expectedAge <= 25) {
            expect(result).toMatchObject({ ok: true, ageYears: expectedAge });
          } else {
            expect(result).toEqual({
              ok: false,
              problems: [
                {
                  pointer: '/subject/dateOfBirth',
                  detail: 'must be the date of birth of a child or young person aged 0 to 25',
                },
              ],
            });
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// An oracle for the London clock that does not use Intl: since 1996 the UK changes at 01:00 UTC
// on the last Sunday of March (to BST, UTC+1) and of October (back to GMT).
function lastSundayAtOneUtc(year: number, monthIndex: number): number {
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0));
  return Date.UTC(year, monthIndex, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

function londonWallClock(instant: Date): Date {
  const year = instant.getUTCFullYear();
  const t = instant.getTime();
  const summer = t >= lastSundayAtOneUtc(year, 2) && t < lastSundayAtOneUtc(year, 9);
  return new Date(t + (summer ? 3_600_000 : 0));
}

/** Admit's window on the oracle's clock: Friday or Saturday, 18:00 to midnight. */
function referenceAdmitWindow(instant: Date): boolean {
  const local = londonWallClock(instant);
  return [5, 6].includes(local.getUTCDay()) && local.getUTCHours() >= 18;
}

const admitWindow = avonAndSomerset.pathways.find((p) => p.id === 'admit')!.staffedWindows![0]!;

describe('staffed window properties', () => {
  it('agrees with an independent London clock at any instant from 1997 to 2037', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1997-01-01T00:00:00Z'),
          max: new Date('2037-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (at) => {
          // Prepare
          const expected = referenceAdmitWindow(at);

          // Act
          const inside = inStaffedWindow(at, admitWindow);

          // Assess
          expect(inside).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('agrees with the independent clock in the fortnight around every change of the clocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1997, max: 2037 }),
        fc.constantFrom(2, 9),
        fc.integer({ min: -10 * 24 * 60, max: 10 * 24 * 60 }),
        (year, monthIndex, minutesFromChange) => {
          // Prepare
          const at = new Date(lastSundayAtOneUtc(year, monthIndex) + minutesFromChange * 60_000);
          const expected = referenceAdmitWindow(at);

          // Act
          const inside = inStaffedWindow(at, admitWindow);

          // Assess
          expect(inside).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
