import { describe, expect, it } from 'vitest';
import { InvalidPartnershipError, definePartnership } from '#shared/partnership/schema.ts';

/** A small, valid partnership in the shape of Northumbria's: a central team and two areas. */
function validConfig() {
  return {
    id: 'northumbria',
    name: 'Northumbria Violence Reduction Unit',
    spokes: [
      { id: 'newcastle', name: 'Newcastle', scope: 'Serious violence' },
      { id: 'gateshead', name: 'Gateshead', scope: 'Serious violence' },
    ],
    pathways: [
      {
        id: 'admit',
        name: 'A&E navigators',
        spokes: ['newcastle'],
        referrerTypes: ['hospital'],
        eligibleAge: { min: 10, max: 24 },
        retentionDays: 1095,
        staffedWindows: [
          { days: ['fri', 'sat'], from: '18:00', to: '24:00', timeZone: 'Europe/London' },
        ],
        source: '003:133',
      },
      {
        id: 'sos-mentoring',
        name: 'Mentoring',
        spokes: ['newcastle', 'gateshead'],
        referrerTypes: ['police', 'school'],
        eligibleAge: { min: 10, max: 24 },
        retentionDays: 1095,
        source: '003:133',
      },
    ],
    providers: [
      {
        id: 'navigators',
        name: 'Navigators',
        spokes: ['newcastle'],
        pathways: ['admit'],
        capacity: 'open',
      },
      {
        id: 'mentors',
        name: 'Mentors',
        spokes: ['newcastle', 'gateshead'],
        pathways: ['sos-mentoring'],
        capacity: 'waitlist',
        commissionedUntil: '2027-03-31',
      },
    ],
    referrerOrganisations: [
      { id: 'rvi-ae', name: 'RVI A&E', type: 'hospital', spoke: 'newcastle' },
      { id: 'gateshead-police', name: 'Gateshead police', type: 'police', spoke: 'gateshead' },
    ],
  };
}

type Config = ReturnType<typeof validConfig>;

/** The problems definePartnership reports for a config, or fails the test if it accepts it. */
function problemsOf(raw: unknown): { error: InvalidPartnershipError; problems: string[] } {
  try {
    definePartnership(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPartnershipError);
    const invalid = error as InvalidPartnershipError;
    return { error: invalid, problems: invalid.problems };
  }
  throw new Error('definePartnership accepted an invalid config');
}

describe('definePartnership: a valid config', () => {
  it('returns the config as given, typed', () => {
    // Prepare
    const raw = validConfig();

    // Act
    const partnership = definePartnership(raw);

    // Assess
    expect(partnership).toEqual(raw);
  });

  it('accepts a partnership with no providers and no organisations yet', () => {
    // Prepare
    const raw = { ...validConfig(), providers: [], referrerOrganisations: [] };

    // Act
    const partnership = definePartnership(raw);

    // Assess
    expect(partnership.providers).toEqual([]);
  });
});

describe('definePartnership: cross-references', () => {
  it.each<[string, (config: Config) => void, string]>([
    [
      'a provider in an unknown spoke',
      (c) => c.providers[1]!.spokes.push('sunderlnd'),
      'providers[1] (mentors).spokes: unknown spoke "sunderlnd"',
    ],
    [
      'a pathway switched on in an unknown spoke',
      (c) => (c.pathways[0]!.spokes = ['north-tyneside']),
      'pathways[0] (admit).spokes: unknown spoke "north-tyneside"',
    ],
    [
      'an organisation in an unknown spoke',
      (c) => (c.referrerOrganisations[1]!.spoke = 'gatesheed'),
      'referrerOrganisations[1] (gateshead-police).spoke: unknown spoke "gatesheed"',
    ],
    [
      'a provider for a pathway the partnership does not run',
      (c) => c.providers[0]!.pathways.push('weapons-in-schools'),
      'providers[0] (navigators).pathways: pathway "weapons-in-schools" is not configured',
    ],
    [
      'a duplicate spoke id',
      (c) => c.spokes.push({ id: 'gateshead', name: 'Gateshead again', scope: 'x' }),
      'spokes: "gateshead" appears more than once',
    ],
    [
      'a duplicate pathway id',
      (c) => c.pathways.push({ ...c.pathways[1]!, name: 'Mentoring again' }),
      'pathways: "sos-mentoring" appears more than once',
    ],
    [
      'a duplicate provider id',
      (c) => c.providers.push({ ...c.providers[0]! }),
      'providers: "navigators" appears more than once',
    ],
    [
      'a duplicate organisation id',
      (c) => c.referrerOrganisations.push({ ...c.referrerOrganisations[0]!, spoke: 'gateshead' }),
      'referrerOrganisations: "rvi-ae" appears more than once',
    ],
    [
      'an age range upside down',
      (c) => (c.pathways[1]!.eligibleAge = { min: 18, max: 11 }),
      'pathways[1] (sos-mentoring).eligibleAge: min is above max',
    ],
  ])('refuses %s, naming the entry', (_, breakIt, expected) => {
    // Prepare
    const raw = validConfig();
    breakIt(raw);

    // Act
    const { error, problems } = problemsOf(raw);

    // Assess
    expect(problems).toEqual([expected]);
    expect(error.message).toContain(expected);
    expect(error.message).toMatch(/^Partnership config "northumbria" is invalid:/);
    expect(error.name).toBe('InvalidPartnershipError');
    expect(error.partnership).toBe('northumbria');
  });

  it('names every problem at once', () => {
    // Prepare
    const raw = validConfig();
    raw.providers[0]!.spokes = ['sunderland'];
    raw.pathways[0]!.spokes = ['sunderland'];
    raw.referrerOrganisations[0]!.spoke = 'sunderland';

    // Act
    const { problems } = problemsOf(raw);

    // Assess
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/providers\[0\] \(navigators\)/);
    expect(problems.join('\n')).toMatch(/pathways\[0\] \(admit\)/);
    expect(problems.join('\n')).toMatch(/referrerOrganisations\[0\] \(rvi-ae\)/);
  });
});

describe('definePartnership: shape', () => {
  it.each<[string, (config: Config) => void, RegExp]>([
    [
      'a spoke id that is not a slug',
      (c) => (c.spokes[1]!.id = 'North Tyneside'),
      /^spokes\[1\] \(North Tyneside\)\.id: must be a lower-case identifier/,
    ],
    [
      'a pathway kind the intake has no schema for',
      (c) => ((c.pathways[0] as { id: string }).id = 'custody-navigators'),
      /^pathways\[0\] \(custody-navigators\)\.id: /,
    ],
    [
      'an unknown referrer type',
      (c) => c.pathways[1]!.referrerTypes.push('church'),
      /^pathways\[1\] \(sos-mentoring\)\.referrerTypes\[2\]: /,
    ],
    [
      'an age above 25',
      (c) => (c.pathways[1]!.eligibleAge.max = 30),
      /^pathways\[1\] \(sos-mentoring\)\.eligibleAge\.max: /,
    ],
    [
      'a staffed window at 7pm written as "7pm"',
      (c) => (c.pathways[0]!.staffedWindows![0]!.from = '7pm'),
      /^pathways\[0\] \(admit\)\.staffedWindows\[0\]\.from: must be a time like "18:00"/,
    ],
    [
      'a staffed window in a time zone that does not exist',
      (c) => (c.pathways[0]!.staffedWindows![0]!.timeZone = 'Europe/Londn'),
      /^pathways\[0\] \(admit\)\.staffedWindows\[0\]\.timeZone: must be an IANA time zone/,
    ],
    [
      'a staffed window ending at 24:59',
      (c) => (c.pathways[0]!.staffedWindows![0]!.to = '24:59'),
      /^pathways\[0\] \(admit\)\.staffedWindows\[0\]\.to: must be a time like "18:00"/,
    ],
    [
      'a staffed window that ends before it starts',
      (c) => (c.pathways[0]!.staffedWindows![0]!.to = '17:00'),
      /^pathways\[0\] \(admit\)\.staffedWindows\[0\]: ends before it starts$/,
    ],
    [
      'an unknown weekday',
      (c) => c.pathways[0]!.staffedWindows![0]!.days.push('friday'),
      /^pathways\[0\] \(admit\)\.staffedWindows\[0\]\.days\[2\]: /,
    ],
    [
      'an unknown capacity state',
      (c) => (c.providers[0]!.capacity = 'full'),
      /^providers\[0\] \(navigators\)\.capacity: /,
    ],
    [
      'a commissioning end that is not a date',
      (c) => (c.providers[1]!.commissionedUntil = 'March 2027'),
      /^providers\[1\] \(mentors\)\.commissionedUntil: /,
    ],
    [
      'a pathway switched on nowhere',
      (c) => (c.pathways[0]!.spokes = []),
      /^pathways\[0\] \(admit\)\.spokes: /,
    ],
    ['no spokes at all', (c) => (c.spokes = []), /^spokes: /],
    [
      'an unknown key on a provider',
      (c) => Object.assign(c.providers[0]!, { email: 'x@example.org' }),
      /^providers\[0\] \(navigators\): Unrecognized key: "email"/,
    ],
    [
      'an unknown key at the top',
      (c) => Object.assign(c, { hub: 'pcc' }),
      /^\(root\): Unrecognized key: "hub"/,
    ],
  ])('refuses %s, naming the entry and field', (_, breakIt, expected) => {
    // Prepare
    const raw = validConfig();
    breakIt(raw);

    // Act
    const { problems } = problemsOf(raw);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it.each([null, 'northumbria', 42, []])('refuses %j as unnamed', (raw) => {
    // Prepare
    const input = raw;

    // Act
    const { error } = problemsOf(input);

    // Assess
    expect(error.partnership).toBe('(unnamed)');
    expect(error.problems).toEqual([expect.stringMatching(/^\(root\): /)]);
  });

  it('checks shape before cross-references, so a shape problem is not hidden by them', () => {
    // Prepare
    const raw = validConfig();
    raw.providers[0]!.spokes = ['sunderland'];
    raw.spokes[0]!.name = '';

    // Act
    const { problems } = problemsOf(raw);

    // Assess
    expect(problems).toEqual([expect.stringMatching(/^spokes\[0\] \(newcastle\)\.name: /)]);
  });
});
