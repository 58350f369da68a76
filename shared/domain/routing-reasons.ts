import type { Destination } from '#events/referral-lifecycle.ts';
import type { Partnership } from '../partnership/schema.ts';
import type { RoutingAttributes } from './routing-attributes.ts';

/**
 * Why a referral went where it did, in words a spoke coordinator can act on. For a provider
 * route that is the route's own description; for triage, every reason that applies.
 */
export function routingReasons(
  attributes: RoutingAttributes,
  destination: Destination,
  routeDescription: string,
  partnership: Partnership,
): string[] {
  if (destination.kind !== 'triage') return [routeDescription];
  const pathway = partnership.pathways.find((p) => p.id === attributes.pathway);
  const spoke = partnership.spokes.find((s) => s.id === attributes.spoke)?.name ?? attributes.spoke;
  const reasons: string[] = [];
  if (attributes.flags.immediateEscalation) {
    reasons.push(
      'A weapon was used or its use threatened: the police are called now and the spoke decides on support.',
    );
  }
  if (pathway && !pathway.spokes.includes(attributes.spoke)) {
    reasons.push(`The ${pathway.name} pathway is not run in ${spoke}.`);
  }
  if (pathway && !attributes.flags.eligibleAge) {
    reasons.push(
      `Age ${attributes.ageYears} is outside the ${pathway.name} pathway's range of ${pathway.eligibleAge.min} to ${pathway.eligibleAge.max}.`,
    );
  }
  if (reasons.length === 0) {
    reasons.push(`No provider route in ${spoke} takes this pathway: the spoke's triage decides.`);
  }
  return reasons;
}
