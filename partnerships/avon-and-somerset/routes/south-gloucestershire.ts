import { providerRoute, spokeRoutes } from '#shared/routing/routes.ts';

/** South Gloucestershire: care leaver peer mentoring, and SOS mentoring. */
export const southGloucestershireRoutes = spokeRoutes('south-gloucestershire', [
  providerRoute({
    spoke: 'south-gloucestershire',
    pathways: ['care-leaver-mentoring'],
    providerId: 'south-glos-care-leaver-mentoring',
    description:
      'Care leavers go to the peer mentoring service (mentors are trained care leavers).',
  }),
  providerRoute({
    spoke: 'south-gloucestershire',
    pathways: ['sos-mentoring'],
    providerId: 'st-giles-sos',
    description: 'Exploitation referrals go to St Giles Trust SOS mentoring.',
  }),
]);
