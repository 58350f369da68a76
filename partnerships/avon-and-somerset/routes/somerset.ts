import { providerRoute, spokeRoutes } from '#shared/routing/routes.ts';

/** Somerset: Admit at Musgrove Park A&E, and SOS mentoring. */
export const somersetRoutes = spokeRoutes('somerset', [
  providerRoute({
    spoke: 'somerset',
    pathways: ['admit'],
    providerId: 'turning-point-admit',
    description:
      "Admit referrals from Musgrove Park A&E go to Turning Point's Young People Recovery workers.",
  }),
  providerRoute({
    spoke: 'somerset',
    pathways: ['sos-mentoring'],
    providerId: 'st-giles-sos',
    description: 'Exploitation referrals go to St Giles Trust SOS mentoring.',
  }),
]);
