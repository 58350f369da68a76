/**
 * Display names for the ids the API answers with, from the partnership's config: what a page
 * shows instead of a slug, so no page keeps its own copy of the config.
 */
import type { Partnership } from '../partnership/schema.ts';

/** Names by id, per kind of thing; an id the config does not know is left out. */
export interface DisplayNames {
  spokes: Record<string, string>;
  pathways: Record<string, string>;
  providers: Record<string, string>;
  organisations: Record<string, string>;
}

/** The ids whose names an answer needs. */
export interface NamedIds {
  spokes?: Iterable<string>;
  pathways?: Iterable<string>;
  providers?: Iterable<string>;
  organisations?: Iterable<string>;
}

function pick(
  entries: readonly { id: string; name: string }[],
  ids: Iterable<string> | undefined,
): Record<string, string> {
  const wanted = new Set(ids ?? []);
  return Object.fromEntries(
    entries.filter((entry) => wanted.has(entry.id)).map((entry) => [entry.id, entry.name]),
  );
}

/**
 * The partnership's names of exactly these ids.
 * @example namesOf(avonAndSomerset, { spokes: ['somerset'] }).spokes // { somerset: 'Somerset' }
 */
export function namesOf(partnership: Partnership, ids: NamedIds): DisplayNames {
  return {
    spokes: pick(partnership.spokes, ids.spokes),
    pathways: pick(partnership.pathways, ids.pathways),
    providers: pick(partnership.providers, ids.providers),
    organisations: pick(partnership.referrerOrganisations, ids.organisations),
  };
}

/** Every spoke's, pathway's and provider's name: the hub and spokes see all of them. */
export function partnershipNames(
  partnership: Partnership,
): Omit<DisplayNames, 'organisations'> & { partnership: string } {
  const all = (entries: readonly { id: string; name: string }[]) =>
    Object.fromEntries(entries.map((entry) => [entry.id, entry.name]));
  return {
    partnership: partnership.name,
    spokes: all(partnership.spokes),
    pathways: all(partnership.pathways),
    providers: all(partnership.providers),
  };
}
