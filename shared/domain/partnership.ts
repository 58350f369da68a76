export type { Partnership } from '../partnership/schema.ts';

export type SpokeId = string;
export type ProviderId = string;
