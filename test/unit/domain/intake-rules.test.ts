import { describe, expect, it } from 'vitest';
import { checkSubmission, intakeSchemaFor } from '#shared/domain/intake.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { definePartnership } from '#shared/partnership/schema.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { pointerOf, withValue, type JsonPath } from './json-walk.ts';
import { fridayNight, validBodyFor } from './submissions.ts';

const admit = exampleReferral('admit-friday-night.json');
const project28 = exampleReferral('project28-bath.json');

const check = (body: unknown, receivedAt = fridayNight) =>
  checkSubmission(body, receivedAt, avonAndSomerset);

/** The pointers of the problems found, or an empty list for an accepted body. */
const pointers = (body: unknown, receivedAt = fridayNight) => {
  const result = check(body, receivedAt);
  return result.ok ? [] : result.problems.map((problem) => problem.pointer);
};

const problemAt = (body: unknown, path: JsonPath, receivedAt = fridayNight) => {
  const result = check(body, receivedAt);
  return result.ok ? undefined : result.problems.find((p) => p.pointer === pointerOf(path));
};

describe('intake: who may refer, and where', () => {
  it('refuses an organisation that is not registered with the partnership, naming the field', () => {
    // Prepare
    const body = withValue(admit, ['referrer', 'organisationId'], 'gotham-general-hospital');

    // Act
    const result = check(body);

    // Assess
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          pointer: '/referrer/organisationId',
          detail: 'must be a referrer organisation registered with the partnership',
        },
      ],
    });
  });

  it('refuses an organisation id that is not a lower-case identifier', () => {
    // Prepare
    const body = withValue(admit, ['referrer', 'organisationId'], 'Musgrove Park Hospital A&E');

    // Act
    const problem = problemAt(body, ['referrer', 'organisationId']);

    // Assess
    expect(problem?.detail).toMatch(/lower-case identifier/);
  });

  it('refuses an over-long organisation id', () => {
    // Prepare
    const body = withValue(admit, ['referrer', 'organisationId'], 'a'.repeat(81));

    // Act
    const result = check(body);

    // Assess
    expect(!result.ok && result.problems.map((p) => p.detail)).toContain(
      'must be at most 80 characters',
    );
  });

  it.each(['bristl', 'gotham', 'Somerset', ''])(
    'refuses the unknown spoke "%s" and lists the spokes',
    (spoke) => {
      // Prepare
      const body = withValue(admit, ['spoke'], spoke);

      // Act
      const problem = problemAt(body, ['spoke']);

      // Assess
      expect(problem?.detail).toBe(
        'must be one of the spokes: bristol, somerset, north-somerset, south-gloucestershire, bath-ne-somerset',
      );
    },
  );

  it('accepts a known spoke where the pathway is not run (routing sends it to triage)', () => {
    // Prepare
    const body = exampleReferral('weapons-possession-somerset.json');

    // Act
    const result = check(body);

    // Assess
    expect(result).toMatchObject({ ok: true, submission: { spoke: 'somerset' } });
  });

  it.each(['nope', 'ADMIT', 42, null])('refuses the unknown pathway %j at /pathway', (pathway) => {
    // Prepare
    const body = withValue(admit, ['pathway'], pathway);

    // Act
    const problem = problemAt(body, ['pathway']);

    // Assess
    expect(problem?.detail).toMatch(/^must be one of the pathways: weapons-in-schools, /);
  });

  it('refuses a pathway kind the partnership does not run', () => {
    // Prepare
    const bristolOnly = definePartnership({
      ...structuredClone(avonAndSomerset),
      id: 'bristol-only',
      pathways: avonAndSomerset.pathways.filter((p) => p.id === 'weapons-in-schools'),
      providers: avonAndSomerset.providers.filter((p) => p.pathways.includes('weapons-in-schools')),
    });

    // Act
    const refused = checkSubmission(admit, fridayNight, bristolOnly);
    const accepted = checkSubmission(
      exampleReferral('weapons-possession-bristol.json'),
      fridayNight,
      bristolOnly,
    );

    // Assess
    expect(refused).toEqual({
      ok: false,
      problems: [
        { pointer: '/pathway', detail: 'must be one of the pathways: weapons-in-schools' },
      ],
    });
    expect(accepted.ok).toBe(true);
  });

  it('refuses details of another pathway, naming the missing and the unknown fields', () => {
    // Prepare
    const body = { ...admit, details: exampleReferral('weapons-possession-bristol.json').details };

    // Act
    const found = pointers(body);

    // Assess
    expect(found).toEqual(
      expect.arrayContaining([
        '/details/attendedAt',
        '/details/injury',
        '/details/stillInDepartment',
        '/details/foundAt',
        '/details/weapon',
      ]),
    );
  });

  it('builds the schema of a partnership once', () => {
    // Prepare
    const first = intakeSchemaFor(avonAndSomerset);

    // Act
    const second = intakeSchemaFor(avonAndSomerset);

    // Assess
    expect(second).toBe(first);
  });
});

describe('intake: types', () => {
  it.each<[string, JsonPath, unknown]>([
    ['a number for a name', ['subject', 'givenName'], 42],
    ['a string for a boolean', ['consent', 'subjectAgreed'], 'yes'],
    ['null for a boolean', ['details', 'stillInDepartment'], null],
    ['a string for a list', ['details', 'injury'], 'alcohol'],
    ['an empty list', ['details', 'injury'], []],
    ['an injury Admit does not take', ['details', 'injury', 0], 'stab-wound'],
    ['a list for an object', ['subject'], ['Jordan']],
    ['a string for an object', ['referrer'], 'Sam Taylor'],
    ['null for the summary', ['summary'], null],
    ['a number for the spoke', ['spoke'], 5],
    ['a local time without offset', ['details', 'attendedAt'], '2026-11-20T22:40:00'],
    ['a date for a date-time', ['details', 'attendedAt'], '2026-11-20'],
    ['a number for a date of birth', ['subject', 'dateOfBirth'], 20100314],
    ['an email without a domain', ['referrer', 'email'], 'sam.taylor'],
    ['letters for a phone number', ['referrer', 'phone'], 'call the ward'],
    ['a phone number too short', ['referrer', 'phone'], '12345'],
    ['a phone number too long', ['referrer', 'phone'], '0'.repeat(21)],
    ['a phone number with no digits', ['referrer', 'phone'], '(((((( - )'],
    ['a phone number of five digits padded out', ['referrer', 'phone'], '1 2 3 4 5 ( )'],
    ['a postcode that is not a UK postcode', ['subject', 'postcode'], '90210'],
  ])('refuses %s, naming the field', (_, path, value) => {
    // Prepare
    const body = withValue(admit, path, value);

    // Act
    const found = pointers(body);

    // Assess
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found)).toEqual(new Set([pointerOf(path)]));
  });

  it.each(['true', 1, null, [admit]])(
    'refuses the body %j, which is not an object, at the root',
    (body) => {
      // Prepare
      const receivedAt = fridayNight;

      // Act
      const result = check(body, receivedAt);

      // Assess
      expect(result).toEqual({
        ok: false,
        problems: [{ pointer: '', detail: expect.any(String) }],
      });
    },
  );

  it('refuses an empty object for want of a pathway', () => {
    // Prepare
    const body = {};

    // Act
    const found = pointers(body);

    // Assess
    expect(found).toEqual(['/pathway']);
  });

  it('normalises a lower-case postcode and trims names', () => {
    // Prepare
    const body = withValue(
      withValue(admit, ['subject', 'postcode'], ' ta1 5da '),
      ['subject', 'givenName'],
      '  Jordan  ',
    );

    // Act
    const result = check(body);

    // Assess
    expect(result).toMatchObject({
      ok: true,
      submission: { subject: { postcode: 'TA1 5DA', givenName: 'Jordan' } },
    });
  });

  it('accepts an attendance time with a UTC offset', () => {
    // Prepare
    const body = withValue(admit, ['details', 'attendedAt'], '2026-07-10T23:40:00+01:00');

    // Act
    const result = check(body);

    // Assess
    expect(result.ok).toBe(true);
  });

  it('reports every field at fault in one answer', () => {
    // Prepare
    const body = {
      ...admit,
      spoke: 'gotham',
      referrer: { ...(admit.referrer as object), email: 'nope' },
      subject: { ...(admit.subject as object), givenName: '' },
      unexpected: true,
    };

    // Act
    const found = pointers(body);

    // Assess
    expect([...found].sort()).toEqual([
      '/referrer/email',
      '/spoke',
      '/subject/givenName',
      '/unexpected',
    ]);
  });
});

describe('intake: lengths', () => {
  it.each<[JsonPath, number, Record<string, unknown>]>([
    [['referrer', 'name'], 120, admit],
    [['referrer', 'role'], 120, admit],
    [['subject', 'givenName'], 100, admit],
    [['subject', 'familyName'], 100, admit],
    [['summary'], 2000, admit],
    [['details', 'metAt'], 100, project28],
  ])('takes %j up to %i characters and refuses one more', (path, max, example) => {
    // Prepare
    const longest = withValue(example, path, 'x'.repeat(max));
    const tooLong = withValue(example, path, 'x'.repeat(max + 1));

    // Act
    const accepted = check(longest);
    const refused = problemAt(tooLong, path);

    // Assess
    expect(accepted.ok).toBe(true);
    expect(refused?.detail).toBe(`must be at most ${max} characters`);
  });

  it('counts the length after trimming surrounding spaces', () => {
    // Prepare
    const body = withValue(admit, ['referrer', 'name'], `   ${'x'.repeat(120)}   `);

    // Act
    const result = check(body);

    // Assess
    expect(result).toMatchObject({ ok: true, submission: { referrer: { name: 'x'.repeat(120) } } });
  });

  it('refuses an email address over 254 characters', () => {
    // Prepare
    const body = withValue(
      admit,
      ['referrer', 'email'],
      `${'a'.repeat(64)}@${'b'.repeat(190)}.org`,
    );

    // Act
    const found = pointers(body);

    // Assess
    expect(found).toEqual(['/referrer/email']);
  });

  it.each([
    ['', ['summary']],
    ['   ', ['summary']],
    ['\n\t', ['subject', 'familyName']],
  ] as const)('refuses the blank text %j', (value, path) => {
    // Prepare
    const body = withValue(admit, path, value);

    // Act
    const problem = problemAt(body, path);

    // Assess
    expect(problem?.detail).toBe('must not be empty');
  });
});

describe('intake: control characters', () => {
  it.each([
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['backspace', '\u0008'],
    ['vertical tab', '\u000B'],
    ['form feed', '\u000C'],
    ['escape', '\u001B[31m'],
    ['unit separator', '\u001F'],
    ['DEL', '\u007F'],
    ['C1 control sequence introducer', '\u009B31m'],
    ['next line', '\u0085'],
    ['line separator', '\u2028'],
    ['right-to-left override', '\u202E'],
    ['right-to-left isolate', '\u2067'],
  ])('refuses %s inside free text', (_, character) => {
    // Prepare
    const paths: JsonPath[] = [['summary'], ['subject', 'givenName'], ['referrer', 'role']];
    const bodies = paths.map((path) => withValue(admit, path, `Jor${character}dan`));

    // Act
    const problems = bodies.map((body, i) => problemAt(body, paths[i]!));

    // Assess
    for (const problem of problems) {
      expect(problem?.detail).toBe('must not contain control or text-direction characters');
    }
  });

  it.each([
    ['tab', 'Seen at 22:10\tby triage'],
    ['line feed', 'First line.\nSecond line.'],
    ['carriage return and line feed', 'First line.\r\nSecond line.'],
    ['accents and other scripts', 'Zoë Ó Súilleabháin, 李雷'],
  ])('accepts %s in the summary', (_, summary) => {
    // Prepare
    const body = withValue(admit, ['summary'], summary);

    // Act
    const result = check(body);

    // Assess
    expect(result).toMatchObject({ ok: true, submission: { summary } });
  });
});

describe('intake: dates of birth', () => {
  const withBirth = (dateOfBirth: unknown) =>
    withValue(admit, ['subject', 'dateOfBirth'], dateOfBirth);
  const ageRule = 'must be the date of birth of a child or young person aged 0 to 25';

  it.each([
    '2010-02-30',
    '2010-13-01',
    '2010-00-10',
    '2010-3-14',
    '14/03/2010',
    '2010-03-14T00:00',
  ])('refuses "%s" as not a real calendar date', (dateOfBirth) => {
    // Prepare
    const body = withBirth(dateOfBirth);

    // Act
    const problem = problemAt(body, ['subject', 'dateOfBirth']);

    // Assess
    expect(problem?.detail).toBe('must be a real date in the form YYYY-MM-DD');
  });

  it.each([
    ['tomorrow', '2026-11-21'],
    ['next year', '2027-01-01'],
    ['far in the future', '2999-12-31'],
  ])('refuses a date of birth %s', (_, dateOfBirth) => {
    // Prepare
    const body = withBirth(dateOfBirth);

    // Act
    const result = check(body);

    // Assess
    expect(result).toEqual({
      ok: false,
      problems: [{ pointer: '/subject/dateOfBirth', detail: ageRule }],
    });
  });

  it('accepts a baby born on the day of the referral, aged 0', () => {
    // Prepare
    const body = withBirth('2026-11-20');

    // Act
    const result = check(body);

    // Assess
    expect(result).toMatchObject({ ok: true, ageYears: 0 });
  });

  it('accepts the day before the 26th birthday, aged 25', () => {
    // Prepare
    const body = withBirth('2000-11-21');

    // Act
    const result = check(body);

    // Assess
    expect(result).toMatchObject({ ok: true, ageYears: 25 });
  });

  it.each([
    ['on the 26th birthday', '2000-11-20'],
    ['aged 40', '1986-05-01'],
    ['born in 1900', '1900-01-01'],
  ])('refuses a date of birth %s as implausible', (_, dateOfBirth) => {
    // Prepare
    const body = withBirth(dateOfBirth);

    // Act
    const problem = problemAt(body, ['subject', 'dateOfBirth']);

    // Assess
    expect(problem?.detail).toBe(ageRule);
  });

  it('counts birthdays on the London calendar: just after midnight BST is already the next day', () => {
    // Prepare: 23:30 UTC on 10 July is 00:30 on 11 July in London.
    const justAfterLondonMidnight = new Date('2026-07-10T23:30:00Z');
    const bornThatLondonDay = withBirth('2026-07-11');
    const twentySixThatLondonDay = withBirth('2000-07-11');

    // Act
    const newborn = check(bornThatLondonDay, justAfterLondonMidnight);
    const twentySix = problemAt(
      twentySixThatLondonDay,
      ['subject', 'dateOfBirth'],
      justAfterLondonMidnight,
    );

    // Assess
    expect(newborn).toMatchObject({ ok: true, ageYears: 0 });
    expect(twentySix?.detail).toBe(ageRule);
  });

  it('reports an impossible age together with the other problems, not after they are fixed', () => {
    // Prepare
    const body = withValue(withBirth('1986-05-01'), ['referrer', 'email'], 'not-an-email');

    // Act
    const found = pointers(body);

    // Assess
    expect(found.sort()).toEqual(['/referrer/email', '/subject/dateOfBirth']);
  });

  it('accepts any age from 0 to 25 (the pathway range is routing, not intake)', () => {
    // Prepare
    const targeted = validBodyFor('targeted-intervention');
    const body = withValue(targeted, ['subject', 'dateOfBirth'], '2003-01-01');

    // Act
    const result = check(body);

    // Assess
    expect(result).toMatchObject({ ok: true, ageYears: 23 });
  });
});
