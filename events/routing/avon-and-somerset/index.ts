import { escalationRoute, type Route } from '../route.ts';
import { bathNeSomersetRoutes } from './bath-ne-somerset.ts';
import { bristolRoutes } from './bristol.ts';
import { northSomersetRoutes } from './north-somerset.ts';
import { somersetRoutes } from './somerset.ts';
import { southGloucestershireRoutes } from './south-gloucestershire.ts';

/** Every route of Avon and Somerset: each spoke's own, then escalation. */
export const avonAndSomersetRoutes: Route[] = [
  ...bristolRoutes,
  ...somersetRoutes,
  ...northSomersetRoutes,
  ...southGloucestershireRoutes,
  ...bathNeSomersetRoutes,
  escalationRoute,
];
