import { describe, expect, it } from 'vitest';
import type { ReferralSubmission } from '#shared/domain/intake.ts';
import { routingAttributesOf } from '#shared/domain/routing-attributes.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import { withValue } from './json-walk.ts';
import { checked, fridayNight, validBodyFor } from './submissions.ts';
import { pathwayKinds } from '#events/vocabulary.ts';

const expectations = exampleReferral('expectations.json') as Record<string, { escalated: boolean }>;

const routingOf = (body: unknown, receivedAt = fridayNight) => {
  const { submission, ageYears } = checked(body, receivedAt);
  return routingAttributesOf(submission, ageYears, receivedAt, avonAndSomerset);
};

const weaponsBody = (used: boolean, threatened: boolean, aggravatingFactors = false) => {
  const example = exampleReferral('weapons-possession-bristol.json');
  return {
    ...example,
    details: { ...(example.details as object), used, threatened, aggravatingFactors },
  };
};

describe('routingAttributesOf: immediate escalation (weapon used or use threatened, 000:477)', () => {
  it.each([
    [false, false, false],
    [true, false, true],
    [false, true, true],
    [true, true, true],
  ])('used=%s threatened=%s escalates immediately: %s', (used, threatened, expected) => {
    // Prepare
    const body = weaponsBody(used, threatened);

    // Act
    const { attributes } = routingOf(body);

    // Assess
    expect(attributes.flags.immediateEscalation).toBe(expected);
  });

  it.each(exampleFileNames())('escalates %s as expectations.json says', (name) => {
    // Prepare
    const body = exampleReferral(name);

    // Act
    const { attributes } = routingOf(body);

    // Assess
    expect(attributes.flags.immediateEscalation).toBe(expectations[name]!.escalated);
  });

  it.each([true, false])('carries aggravating factors (%s) through as a flag', (aggravating) => {
    // Prepare
    const body = weaponsBody(false, false, aggravating);

    // Act
    const { attributes } = routingOf(body);

    // Assess
    expect(attributes.flags.aggravatingFactors).toBe(aggravating);
    expect(attributes.flags.immediateEscalation).toBe(false);
  });

  it.each(pathwayKinds.filter((kind) => kind !== 'weapons-in-schools'))(
    'never escalates or flags aggravating factors on the %s pathway',
    (pathway) => {
      // Prepare
      const body = validBodyFor(pathway);

      // Act
      const { attributes } = routingOf(body);

      // Assess
      expect(attributes.flags.immediateEscalation).toBe(false);
      expect(attributes.flags.aggravatingFactors).toBe(false);
    },
  );
});

describe("routingAttributesOf: eligible age from the pathway's range", () => {
  const cases = avonAndSomerset.pathways.flatMap((pathway) => [
    [pathway.id, pathway.eligibleAge.min - 1, false] as const,
    [pathway.id, pathway.eligibleAge.min, true] as const,
    [pathway.id, pathway.eligibleAge.max, true] as const,
    [pathway.id, pathway.eligibleAge.max + 1, false] as const,
  ]);

  it.each(cases)('%s at age %i is eligible: %s', (pathway, ageYears, expected) => {
    // Prepare
    const { submission } = checked(validBodyFor(pathway));

    // Act
    const { attributes } = routingAttributesOf(submission, ageYears, fridayNight, avonAndSomerset);

    // Assess
    expect(attributes.ageYears).toBe(ageYears);
    expect(attributes.flags.eligibleAge).toBe(expected);
  });

  it('takes the age from the date of birth at receipt: 20 is too old for weapons in schools', () => {
    // Prepare
    const body = withValue(
      exampleReferral('weapons-possession-bristol.json'),
      ['subject', 'dateOfBirth'],
      '2006-11-20',
    );

    // Act
    const { attributes } = routingOf(body);

    // Assess
    expect(attributes.ageYears).toBe(20);
    expect(attributes.flags.eligibleAge).toBe(false);
  });
});

describe('routingAttributesOf: response expected', () => {
  const admit = exampleReferral('admit-friday-night.json');

  it.each([
    ['Friday 22:40 GMT', '2026-11-20T22:40:00Z'],
    ['Saturday 18:00 BST', '2026-06-06T17:00:00Z'],
    ['Friday 18:30 GMT after the October change', '2026-10-30T18:30:00Z'],
  ])('Admit inside the window (%s) expects same-shift contact', (_, instant) => {
    // Prepare
    const receivedAt = new Date(instant);

    // Act
    const { attributes, responseExpected } = routingOf(admit, receivedAt);

    // Assess
    expect(responseExpected).toBe('same-shift');
    expect(attributes.flags.inStaffedWindow).toBe(true);
  });

  it.each([
    ['Friday 17:59 GMT', '2026-11-20T17:59:00Z'],
    ['Sunday 00:00 GMT', '2026-11-22T00:00:00Z'],
    ['Wednesday 20:00 GMT', '2026-11-18T20:00:00Z'],
    ['Friday 17:30 BST', '2026-10-23T16:30:00Z'],
  ])('Admit outside the window (%s) expects next-day aftercare', (_, instant) => {
    // Prepare
    const receivedAt = new Date(instant);

    // Act
    const { attributes, responseExpected } = routingOf(admit, receivedAt);

    // Assess
    expect(responseExpected).toBe('next-day-aftercare');
    expect(attributes.flags.inStaffedWindow).toBe(false);
  });

  it.each(pathwayKinds.filter((kind) => kind !== 'admit'))(
    '%s, without a staffed window, expects a standard response even on Friday night',
    (pathway) => {
      // Prepare
      const body = validBodyFor(pathway);

      // Act
      const { attributes, responseExpected } = routingOf(body, fridayNight);

      // Assess
      expect(responseExpected).toBe('standard');
      expect(attributes.flags.inStaffedWindow).toBe(false);
    },
  );
});

describe('routingAttributesOf: identifiers', () => {
  it('takes spoke, pathway and the registered organisation and its type', () => {
    // Prepare
    const body = exampleReferral('sos-exploitation-north-somerset.json');

    // Act
    const { attributes } = routingOf(body);

    // Assess
    expect(attributes).toEqual({
      spoke: 'north-somerset',
      pathway: 'sos-mentoring',
      ageYears: 18,
      referrerType: 'youth-justice',
      referrerOrganisationId: 'north-somerset-youth-offending-service',
      flags: {
        immediateEscalation: false,
        aggravatingFactors: false,
        eligibleAge: true,
        inStaffedWindow: false,
      },
    });
  });

  it('refuses a submission that was never checked against the partnership', () => {
    // Prepare
    const { submission } = checked(exampleReferral('admit-friday-night.json'));
    const unchecked = {
      ...submission,
      referrer: { ...submission.referrer, organisationId: 'gotham-general-hospital' },
    } as ReferralSubmission;

    // Act
    const route = () => routingAttributesOf(unchecked, 16, fridayNight, avonAndSomerset);

    // Assess
    expect(route).toThrow(/pathway and organisation of the partnership/);
  });
});
