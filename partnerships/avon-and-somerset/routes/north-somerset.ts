import { providerRoute, spokeRoutes } from '#shared/routing/routes.ts';

/** North Somerset: SOS mentoring; everything else to the bi-weekly multi-agency triage (001:407). */
export const northSomersetRoutes = spokeRoutes('north-somerset', [
  providerRoute({
    spoke: 'north-somerset',
    pathways: ['sos-mentoring'],
    providerId: 'st-giles-sos',
    description: 'Exploitation referrals go to St Giles Trust SOS mentoring.',
  }),
]);
