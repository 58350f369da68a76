import { checkSubmission, type ReferralSubmission } from '#shared/domain/intake.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import type { PathwayKind } from '#events/vocabulary.ts';

/** Friday 20 November 2026, 22:45 GMT: inside Admit's staffed window. */
export const fridayNight = new Date('2026-11-20T22:45:00Z');

/**
 * A valid body for every pathway the Avon and Somerset config runs: the shared examples, plus
 * two built here for the pathways the examples do not cover.
 */
export function validBodyFor(pathway: PathwayKind): Record<string, unknown> {
  const fromExample = exampleFileNames()
    .map((name) => exampleReferral(name))
    .find((body) => body.pathway === pathway);
  if (fromExample) return fromExample;
  const admit = exampleReferral('admit-friday-night.json');
  if (pathway === 'ae-teachable-moment') {
    return {
      ...admit,
      pathway,
      details: { attendedAt: '2026-11-20T22:40:00Z', injury: ['assault'], stillInDepartment: true },
    };
  }
  if (pathway === 'targeted-intervention') {
    return {
      ...admit,
      pathway,
      spoke: 'north-somerset',
      referrer: {
        organisationId: 'north-somerset-youth-offending-service',
        name: 'Priya Shah',
        role: 'Youth justice worker',
        email: 'p.shah@example.org',
        phone: '01934 000000',
      },
      details: { meetingDate: '2026-11-18', riskLevel: 'high' },
    };
  }
  throw new Error(`No valid body for pathway ${pathway}`);
}

/** Checks a body that must be valid and returns the typed submission and age. */
export function checked(
  body: unknown,
  receivedAt: Date = fridayNight,
): { submission: ReferralSubmission; ageYears: number } {
  const result = checkSubmission(body, receivedAt, avonAndSomerset);
  if (!result.ok) {
    throw new Error(`Fixture body was refused: ${JSON.stringify(result.problems)}`);
  }
  return { submission: result.submission, ageYears: result.ageYears };
}
