import { describe, expect, it } from 'vitest';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { definePartnership } from '#shared/partnership/schema.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import { pathwayKinds } from '#events/vocabulary.ts';

const expectations = exampleReferral('expectations.json') as Record<
  string,
  { destination: string }
>;

describe('the Avon and Somerset partnership config', () => {
  it('is valid as it stands', () => {
    // Prepare
    const raw = structuredClone(avonAndSomerset);

    // Act
    const partnership = definePartnership(raw);

    // Assess
    expect(partnership).toEqual(avonAndSomerset);
  });

  it('has the hub’s five local-authority spokes, by the ids of DOMAIN.md', () => {
    // Prepare
    const expected = [
      'bristol',
      'somerset',
      'north-somerset',
      'south-gloucestershire',
      'bath-ne-somerset',
    ];

    // Act
    const spokes = avonAndSomerset.spokes.map((spoke) => spoke.id);

    // Assess
    expect(spokes).toHaveLength(5);
    expect([...spokes].sort()).toEqual([...expected].sort());
  });

  it('runs every pathway kind the intake knows', () => {
    // Prepare
    const expected = [...pathwayKinds].sort();

    // Act
    const pathways = avonAndSomerset.pathways.map((pathway) => pathway.id).sort();

    // Assess
    expect(pathways).toEqual(expected);
  });

  it('runs targeted intervention and SOS mentoring in every spoke, weapons in schools in Bristol', () => {
    // Prepare
    const spokesOf = (id: string) => avonAndSomerset.pathways.find((p) => p.id === id)!.spokes;

    // Act
    const targeted = spokesOf('targeted-intervention');
    const sos = spokesOf('sos-mentoring');
    const weapons = spokesOf('weapons-in-schools');

    // Assess
    expect(targeted).toHaveLength(5);
    expect(sos).toHaveLength(5);
    expect(weapons).toEqual(['bristol']);
  });

  it('has every provider that expectations.json routes to', () => {
    // Prepare
    const providerIds = avonAndSomerset.providers.map((provider) => provider.id);

    // Act
    const routedTo = Object.values(expectations)
      .map((e) => e.destination)
      .filter((d) => d.startsWith('provider:'))
      .map((d) => d.slice('provider:'.length));

    // Assess
    expect(routedTo.length).toBeGreaterThan(0);
    for (const id of routedTo) expect(providerIds).toContain(id);
  });

  it.each(exampleFileNames())(
    'registers the organisation of %s in the spoke the example names',
    (name) => {
      // Prepare
      const example = exampleReferral(name) as {
        spoke: string;
        referrer: { organisationId: string };
      };

      // Act
      const organisation = avonAndSomerset.referrerOrganisations.find(
        (o) => o.id === example.referrer.organisationId,
      );

      // Assess
      expect(organisation?.spoke).toBe(example.spoke);
    },
  );

  it('only lets each pathway’s provider serve spokes where the pathway runs', () => {
    // Prepare
    const pathwaySpokes = new Map(avonAndSomerset.pathways.map((p) => [p.id, p.spokes]));

    // Act
    const mismatches = avonAndSomerset.providers.flatMap((provider) =>
      provider.pathways.flatMap((pathway) =>
        provider.spokes
          .filter((spoke) => !pathwaySpokes.get(pathway)!.includes(spoke))
          .map((spoke) => `${provider.id} serves ${pathway} in ${spoke}`),
      ),
    );

    // Assess
    expect(mismatches).toEqual([]);
  });
});
