import { providerRoute, spokeRoutes } from '#shared/routing/routes.ts';

/** Bristol: weapons in schools (live here first, 000:1425) and SOS mentoring. */
export const bristolRoutes = spokeRoutes('bristol', [
  providerRoute({
    spoke: 'bristol',
    pathways: ['weapons-in-schools'],
    providerId: 'bristol-safer-options',
    description:
      'Weapon possession in a Bristol school (not used or threatened) goes to Bristol Safer Options for a support package.',
  }),
  providerRoute({
    spoke: 'bristol',
    pathways: ['sos-mentoring'],
    providerId: 'st-giles-sos',
    description: 'Exploitation referrals go to St Giles Trust SOS mentoring.',
  }),
]);
