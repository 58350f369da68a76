import { z } from 'zod';

/** The five spokes of Avon and Somerset, one per local authority (DOMAIN.md). */
export const spokeIds = [
  'bristol',
  'somerset',
  'north-somerset',
  'south-gloucestershire',
  'bath-ne-somerset',
] as const;
export const spokeIdSchema = z.enum(spokeIds);
export type SpokeId = z.infer<typeof spokeIdSchema>;

/** Every referral route named in DOMAIN.md. */
export const pathwayIds = [
  'weapons-in-schools',
  'ae-teachable-moment',
  'admit',
  'sos-mentoring',
  'care-leaver-mentoring',
  'drug-alcohol-young-people',
  'targeted-intervention',
] as const;
export const pathwayIdSchema = z.enum(pathwayIds);
export type PathwayId = z.infer<typeof pathwayIdSchema>;

/** Commissioned providers that own a work queue. */
export const providerIds = [
  'turning-point-admit',
  'bristol-safer-options',
  'st-giles-sos',
  'project-28',
  'south-glos-care-leaver-mentoring',
] as const;
export const providerIdSchema = z.enum(providerIds);
export type ProviderId = z.infer<typeof providerIdSchema>;

export interface Provider {
  id: ProviderId;
  name: string;
}

/** Display names of the providers; spokes and pathways served are wired by routing. */
export const providers: readonly Provider[] = [
  { id: 'turning-point-admit', name: 'Turning Point (Admit, Musgrove Park Hospital)' },
  { id: 'bristol-safer-options', name: 'Bristol Safer Options' },
  { id: 'st-giles-sos', name: 'St Giles Trust (SOS project)' },
  { id: 'project-28', name: 'Project 28' },
  { id: 'south-glos-care-leaver-mentoring', name: 'South Gloucestershire care leaver mentoring' },
];

/** The youngest and oldest age the platform accepts a referral for (under-25s, DOMAIN.md). */
export const eligibleAge = { min: 0, max: 25 } as const;

/** How long personal data is kept after a referral is received, unless a pathway says otherwise. */
export const defaultRetentionDays = 3 * 365;
