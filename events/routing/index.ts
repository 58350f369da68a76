import type { Partnership } from '#shared/partnership/schema.ts';
import { avonAndSomersetRoutes } from './avon-and-somerset/index.ts';
import type { Route } from './route.ts';

export type { Destination, Route } from './route.ts';
export {
  escalationRoute,
  partnershipWideRoutes,
  providerRoute,
  spokeRoutes,
  triageRoute,
} from './route.ts';

const routesByPartnership: Record<string, Route[]> = {
  'avon-and-somerset': avonAndSomersetRoutes,
};

/** Registers another partnership's routes (checked at synth like any other), e.g. a fixture. */
export function registerRoutes(partnershipId: string, routes: Route[]): void {
  routesByPartnership[partnershipId] = routes;
}

/** The routes of a partnership, by its id. */
export function routesFor(partnershipId: string): Route[] {
  const routes = routesByPartnership[partnershipId];
  if (!routes) throw new Error(`No routes for partnership "${partnershipId}"`);
  return routes;
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
