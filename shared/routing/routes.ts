import { detailTypes, type DetailType } from '#events/catalogue.ts';
import type { Destination } from '#events/referral-lifecycle.ts';
import type { Partnership } from '../partnership/schema.ts';
import type { PathwayKind } from '#events/vocabulary.ts';

export type { Destination } from '#events/referral-lifecycle.ts';

/** The `detail` part of an EventBridge event pattern, as EventBridge's own JSON. */
export type DetailPattern = Record<string, unknown>;

/**
 * One routing rule. It becomes one `AWS::Events::Rule` on the partnership's bus, matching
 * events of `detailType` whose `detail` matches `pattern`.
 */
export interface Route {
  /** Unique within the partnership; names the rule and is recorded on each referral it routes. */
  id: string;
  /** Plain words for the spoke coordinator's routing table and the referral's record. */
  description: string;
  /** The spoke whose route this is, or undefined for partnership-wide routes (escalation). */
  spoke?: string;
  detailType: DetailType;
  pattern: DetailPattern;
  destination: Destination;
}

// What every provider route also requires: no immediate escalation and an eligible age.
// The spoke's triage route takes exactly the complement, so together they cover everything.
const providerConditions = { flags: { immediateEscalation: [false], eligibleAge: [true] } };

/**
 * A provider route of a spoke: referrals on these pathways go to the provider's queue.
 * @example providerRoute({ spoke: 'somerset', pathways: ['admit'], providerId: 'turning-point-admit', description: '...' })
 */
export function providerRoute(options: {
  spoke: string;
  pathways: readonly PathwayKind[];
  providerId: string;
  description: string;
}): Route {
  return {
    id: `${options.spoke}-${options.providerId}`,
    description: options.description,
    spoke: options.spoke,
    detailType: detailTypes.referralReceived,
    pattern: { spoke: [options.spoke], pathway: [...options.pathways], ...providerConditions },
    destination: { kind: 'provider', providerId: options.providerId },
  };
}

/**
 * The catch-all of a spoke: every referral for the spoke that none of its provider routes
 * takes (a pathway it does not route to a provider, an escalation, an age outside the
 * pathway's range) goes to the spoke's triage queue, so nothing is ever routed nowhere.
 */
export function triageRoute(spoke: string, providerRoutes: readonly Route[]): Route {
  const routedPathways = providerRoutes.flatMap((route) => route.pattern.pathway as string[]);
  const pattern: DetailPattern =
    routedPathways.length === 0
      ? { spoke: [spoke] }
      : {
          spoke: [spoke],
          $or: [
            { pathway: [{ 'anything-but': routedPathways }] },
            { flags: { immediateEscalation: [true] } },
            { flags: { eligibleAge: [false] } },
          ],
        };
  return {
    id: `${spoke}-triage`,
    description: 'Anything else for this spoke goes to its triage for a decision.',
    spoke,
    detailType: detailTypes.referralReceived,
    pattern,
    destination: { kind: 'triage', spoke },
  };
}

/** A spoke's routes: its provider routes, then its triage catch-all. */
export function spokeRoutes(spoke: string, providerRoutes: readonly Route[]): Route[] {
  return [...providerRoutes, triageRoute(spoke, providerRoutes)];
}

/**
 * Immediate escalation is separate from routing and comes first: every `referral.escalated`
 * event goes to the escalation queue, whatever spoke routing does with the referral.
 */
export const escalationRoute: Route = {
  id: 'escalation',
  description:
    'A weapon used or its use threatened: the police are called now; escalation follows up.',
  detailType: detailTypes.referralEscalated,
  pattern: { flags: { immediateEscalation: [true] } },
  destination: { kind: 'escalation' },
};

/**
 * A rerouted referral goes to its new provider's queue: one rule per provider, on
 * `referral.rerouted` for that provider. Partnership-wide, as rerouting is a provider's decision.
 */
export function rerouteRoute(providerId: string): Route {
  return {
    id: `reroute-${providerId}`,
    description: `Referrals rerouted to ${providerId} go to its queue.`,
    detailType: detailTypes.referralRerouted,
    pattern: { providerId: [providerId] },
    destination: { kind: 'provider', providerId },
  };
}

/** A missed deadline goes to the escalation queue, for the spoke to chase. */
export const overdueRoute: Route = {
  id: 'overdue',
  description: 'A provider missed a deadline (acceptance or first contact): escalation chases it.',
  detailType: detailTypes.referralOverdue,
  pattern: { overdue: ['accept', 'first-contact'] },
  destination: { kind: 'escalation' },
};

/** Routes every partnership has besides its spokes' own: escalation, overdue and reroutes. */
export function partnershipWideRoutes(providerIds: readonly string[]): Route[] {
  return [escalationRoute, overdueRoute, ...providerIds.map(rerouteRoute)];
}

/** Raised when routes and partnership config disagree; names every route at fault. */
export class InvalidRoutesError extends Error {
  constructor(readonly problems: string[]) {
    super(`Routing does not match the partnership config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidRoutesError';
  }
}

/**
 * Checks routes against the partnership config: known spokes and providers, providers that
 * serve the spoke and pathway, pathways switched on in the spoke, unique ids, and a triage
 * route for every spoke. Run at synth, so a bad route never deploys.
 */
export function checkRoutes(partnership: Partnership, routes: readonly Route[]): void {
  const problems: string[] = [];
  const spokes = new Set(partnership.spokes.map((spoke) => spoke.id));
  const seen = new Set<string>();
  for (const route of routes) {
    const where = `route ${route.id}`;
    if (seen.has(route.id)) problems.push(`${where}: id used more than once`);
    seen.add(route.id);
    if (route.spoke !== undefined && !spokes.has(route.spoke)) {
      problems.push(`${where}: unknown spoke "${route.spoke}"`);
    }
    const { destination } = route;
    if (destination.kind === 'triage' && !spokes.has(destination.spoke)) {
      problems.push(`${where}: triage of unknown spoke "${destination.spoke}"`);
    }
    if (destination.kind !== 'provider') continue;
    const provider = partnership.providers.find((p) => p.id === destination.providerId);
    if (!provider) {
      problems.push(`${where}: unknown provider "${destination.providerId}"`);
      continue;
    }
    const pathways = Array.isArray(route.pattern.pathway)
      ? (route.pattern.pathway as string[])
      : [];
    if (route.spoke !== undefined && !provider.spokes.includes(route.spoke)) {
      problems.push(`${where}: provider ${provider.id} does not serve ${route.spoke}`);
    }
    for (const pathwayId of pathways) {
      const pathway = partnership.pathways.find((p) => p.id === pathwayId);
      if (!pathway) problems.push(`${where}: pathway "${pathwayId}" is not configured`);
      else if (route.spoke !== undefined && !pathway.spokes.includes(route.spoke)) {
        problems.push(`${where}: pathway ${pathwayId} is not switched on in ${route.spoke}`);
      }
      if (!provider.pathways.some((p) => p === pathwayId)) {
        problems.push(`${where}: provider ${provider.id} does not serve pathway ${pathwayId}`);
      }
    }
  }
  for (const spoke of spokes) {
    const hasTriage = routes.some(
      (r) => r.destination.kind === 'triage' && r.destination.spoke === spoke,
    );
    if (!hasTriage)
      problems.push(`spoke ${spoke}: no triage route, so some referrals would go nowhere`);
  }
  if (problems.length > 0) throw new InvalidRoutesError(problems);
}
