import { describe, expect, it } from 'vitest';
import { routingAttributesOf, type RoutingAttributes } from '#shared/domain/routing-attributes.ts';
import { routingReasons } from '#shared/domain/routing-reasons.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { withValue } from './json-walk.ts';
import { checked, fridayNight } from './submissions.ts';

const spokeName = (id: string) => avonAndSomerset.spokes.find((spoke) => spoke.id === id)!.name;

const attributesOf = (body: unknown): RoutingAttributes => {
  const { submission, ageYears } = checked(body);
  return routingAttributesOf(submission, ageYears, fridayNight, avonAndSomerset).attributes;
};

describe('routingReasons', () => {
  it("gives a provider route's own description as the reason", () => {
    // Prepare
    const attributes = attributesOf(exampleReferral('admit-friday-night.json'));

    // Act
    const reasons = routingReasons(
      attributes,
      { kind: 'provider', providerId: 'turning-point-admit' },
      'Admit in Somerset goes to Turning Point',
      avonAndSomerset,
    );

    // Assess
    expect(reasons).toEqual(['Admit in Somerset goes to Turning Point']);
  });

  it('says the police are called when a weapon was threatened', () => {
    // Prepare
    const attributes = attributesOf(exampleReferral('weapons-threatened-bristol.json'));

    // Act
    const reasons = routingReasons(
      attributes,
      { kind: 'triage', spoke: 'bristol' },
      'unused',
      avonAndSomerset,
    );

    // Assess
    expect(reasons).toEqual([
      'A weapon was used or its use threatened: the police are called now and the spoke decides on support.',
    ]);
  });

  it('says, by the spoke name, when the pathway is not run in the spoke', () => {
    // Prepare
    const attributes = attributesOf(exampleReferral('weapons-possession-somerset.json'));

    // Act
    const reasons = routingReasons(
      attributes,
      { kind: 'triage', spoke: 'somerset' },
      'unused',
      avonAndSomerset,
    );

    // Assess
    expect(reasons).toEqual([
      `The Weapons in schools pathway is not run in ${spokeName('somerset')}.`,
    ]);
  });

  it("says when the age is outside the pathway's range, with the range", () => {
    // Prepare
    const body = withValue(
      exampleReferral('weapons-possession-bristol.json'),
      ['subject', 'dateOfBirth'],
      '2005-01-01',
    );
    const attributes = attributesOf(body);

    // Act
    const reasons = routingReasons(
      attributes,
      { kind: 'triage', spoke: 'bristol' },
      'unused',
      avonAndSomerset,
    );

    // Assess
    expect(reasons).toEqual([
      "Age 21 is outside the Weapons in schools pathway's range of 4 to 19.",
    ]);
  });

  it('gives every reason that applies, escalation first', () => {
    // Prepare
    const somerset = exampleReferral('weapons-possession-somerset.json');
    const body = {
      ...somerset,
      subject: { ...(somerset.subject as object), dateOfBirth: '2005-01-01' },
      details: { ...(somerset.details as object), used: true },
    };
    const attributes = attributesOf(body);

    // Act
    const reasons = routingReasons(
      attributes,
      { kind: 'triage', spoke: 'somerset' },
      'unused',
      avonAndSomerset,
    );

    // Assess
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/^A weapon was used/);
    expect(reasons[1]).toBe(
      `The Weapons in schools pathway is not run in ${spokeName('somerset')}.`,
    );
    expect(reasons[2]).toMatch(/^Age 21 is outside/);
  });

  it('falls back to the spoke triage when nothing else explains it', () => {
    // Prepare
    const attributes = attributesOf(exampleReferral('weapons-possession-bristol.json'));

    // Act
    const reasons = routingReasons(
      attributes,
      { kind: 'triage', spoke: 'bristol' },
      'unused',
      avonAndSomerset,
    );

    // Assess
    expect(reasons).toEqual([
      `No provider route in ${spokeName('bristol')} takes this pathway: the spoke's triage decides.`,
    ]);
  });

  it('gives the route description for an escalation destination', () => {
    // Prepare
    const attributes = attributesOf(exampleReferral('weapons-threatened-bristol.json'));

    // Act
    const reasons = routingReasons(
      attributes,
      { kind: 'escalation' },
      'Escalated to the police',
      avonAndSomerset,
    );

    // Assess
    expect(reasons).toEqual(['Escalated to the police']);
  });
});
