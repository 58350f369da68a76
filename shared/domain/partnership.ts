import { avonAndSomerset } from '../partnership/avon-and-somerset.ts';
import { definePartnership, type Partnership } from '../partnership/schema.ts';

export type { Partnership } from '../partnership/schema.ts';

export type SpokeId = string;
export type ProviderId = string;

const partnerships: Record<string, Partnership> = {
  [avonAndSomerset.id]: avonAndSomerset,
};

/** The partnership a deployment serves, by id; fails loudly on an unknown one. */
export function partnershipById(id: string): Partnership {
  const partnership = partnerships[id];
  if (!partnership) {
    throw new Error(`Unknown partnership "${id}"; known: ${Object.keys(partnerships).join(', ')}`);
  }
  return partnership;
}

/** Registers another partnership's config (validated), e.g. a test fixture. */
export function registerPartnership(raw: unknown): Partnership {
  const partnership = definePartnership(raw);
  partnerships[partnership.id] = partnership;
  return partnership;
}
