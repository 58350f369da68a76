import { triageRoute, type Route } from './route.ts';

/** Somerset: Admit at Musgrove Park A&E goes to Turning Point's Young People Recovery workers. */
export const somersetRoutes: Route[] = [
  {
    id: 'somerset-admit-turning-point',
    description: 'Admit referrals from Musgrove Park A&E go to Turning Point.',
    pattern: { spoke: ['somerset'], pathway: ['admit'] },
    destination: { kind: 'provider', providerId: 'turning-point-admit' },
  },
  triageRoute('somerset', ['admit']),
];
