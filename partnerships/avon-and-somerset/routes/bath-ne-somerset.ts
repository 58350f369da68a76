import { providerRoute, spokeRoutes } from '#shared/routing/routes.ts';

/** Bath and North East Somerset: Project 28 for outreach referrals, and SOS mentoring. */
export const bathNeSomersetRoutes = spokeRoutes('bath-ne-somerset', [
  providerRoute({
    spoke: 'bath-ne-somerset',
    pathways: ['drug-alcohol-young-people'],
    providerId: 'project-28',
    description:
      'Young people met in hotspot outreach go to Project 28 for drug and alcohol support.',
  }),
  providerRoute({
    spoke: 'bath-ne-somerset',
    pathways: ['sos-mentoring'],
    providerId: 'st-giles-sos',
    description: 'Exploitation referrals go to St Giles Trust SOS mentoring.',
  }),
]);
