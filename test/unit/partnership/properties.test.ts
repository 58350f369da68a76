import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { InvalidPartnershipError, definePartnership } from '#shared/partnership/schema.ts';

const spokeIds = avonAndSomerset.spokes.map((spoke) => spoke.id);
const sosIndex = avonAndSomerset.pathways.findIndex((pathway) => pathway.id === 'sos-mentoring');

/** The error definePartnership throws for a config, or undefined when it accepts it. */
function errorOf(raw: unknown): unknown {
  try {
    definePartnership(raw);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('definePartnership properties', () => {
  it('refuses any JSON value that is not a config with InvalidPartnershipError, nothing else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        // Prepare
        const input = raw;

        // Act
        const error = errorOf(input);

        // Assess
        expect(error).toBeInstanceOf(InvalidPartnershipError);
        expect((error as InvalidPartnershipError).problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('names every spoke taken out of Avon and Somerset wherever it is still referenced', () => {
    fc.assert(
      fc.property(
        fc.subarray(spokeIds, { minLength: 1, maxLength: spokeIds.length - 1 }),
        (removed) => {
          // Prepare
          const raw = structuredClone(avonAndSomerset);
          raw.spokes = raw.spokes.filter((spoke) => !removed.includes(spoke.id));

          // Act
          const error = errorOf(raw) as InvalidPartnershipError;

          // Assess
          expect(error).toBeInstanceOf(InvalidPartnershipError);
          for (const id of removed) {
            // SOS mentoring and targeted intervention run in every spoke.
            expect(error.problems).toContain(
              `pathways[${sosIndex}] (sos-mentoring).spokes: unknown spoke "${id}"`,
            );
          }
          const named = error.problems.map((p) => /unknown spoke "([^"]+)"/.exec(p)?.[1]);
          expect(new Set(named)).toEqual(new Set(removed));
        },
      ),
    );
  });

  it('accepts Avon and Somerset with its lists in any order', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(avonAndSomerset.spokes, { minLength: 5 }),
        fc.shuffledSubarray(avonAndSomerset.pathways, { minLength: 7 }),
        fc.shuffledSubarray(avonAndSomerset.providers, { minLength: 5 }),
        fc.shuffledSubarray(avonAndSomerset.referrerOrganisations, { minLength: 6 }),
        (spokes, pathways, providers, referrerOrganisations) => {
          // Prepare
          const raw = structuredClone({
            ...avonAndSomerset,
            spokes,
            pathways,
            providers,
            referrerOrganisations,
          });

          // Act
          const error = errorOf(raw);

          // Assess
          expect(error).toBeUndefined();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a copy of any spoke, provider or organisation as a duplicate, naming its id', () => {
    const lists = ['spokes', 'providers', 'referrerOrganisations'] as const;
    fc.assert(
      fc.property(
        fc
          .constantFrom(...lists)
          .chain((list) =>
            fc.tuple(fc.constant(list), fc.nat({ max: avonAndSomerset[list].length - 1 })),
          ),
        ([list, index]) => {
          // Prepare
          const raw = structuredClone(avonAndSomerset) as unknown as Record<
            string,
            { id: string }[]
          >;
          const entry = raw[list]![index]!;
          raw[list]!.push(structuredClone(entry));

          // Act
          const error = errorOf(raw) as InvalidPartnershipError;

          // Assess
          expect(error.problems).toEqual([`${list}: "${entry.id}" appears more than once`]);
        },
      ),
    );
  });
});
