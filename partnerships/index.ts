/**
 * Every partnership this deployment can serve, registered in one place: its config (spokes,
 * pathways, providers, referrer organisations) and its spokes' routes, each in its own folder.
 * Adding a partnership is a folder `partnerships/<id>/` and one entry here.
 */
import { definePartnership, type Partnership } from '#shared/partnership/schema.ts';
import type { Route } from '#shared/routing/routes.ts';
import { avonAndSomerset } from './avon-and-somerset/partnership.ts';
import { avonAndSomersetRoutes } from './avon-and-somerset/routes.ts';

export type { Partnership } from '#shared/partnership/schema.ts';

const registry = new Map<string, { partnership: Partnership; routes: Route[] }>([
  [avonAndSomerset.id, { partnership: avonAndSomerset, routes: avonAndSomersetRoutes }],
]);

function entryOf(id: string) {
  const entry = registry.get(id);
  if (!entry) {
    throw new Error(`Unknown partnership "${id}"; known: ${[...registry.keys()].join(', ')}`);
  }
  return entry;
}

/** The partnership a deployment serves, by id; fails loudly on an unknown one. */
export function partnershipById(id: string): Partnership {
  return entryOf(id).partnership;
}

/** The routes of a partnership, by its id. */
export function routesFor(partnershipId: string): Route[] {
  return entryOf(partnershipId).routes;
}

/** Registers another partnership (config validated, routes checked at synth), e.g. a fixture. */
export function registerPartnership(raw: unknown, routes: Route[] = []): Partnership {
  const partnership = definePartnership(raw);
  registry.set(partnership.id, { partnership, routes });
  return partnership;
}

/** Gives a registered partnership its routes, e.g. a fixture's once they are built. */
export function registerRoutes(partnershipId: string, routes: Route[]): void {
  registry.set(partnershipId, { partnership: partnershipById(partnershipId), routes });
}
