import { avonAndSomerset } from '#shared/partnership/avon-and-somerset.ts';
import { partnershipWideRoutes, type Route } from '../route.ts';
import { bathNeSomersetRoutes } from './bath-ne-somerset.ts';
import { bristolRoutes } from './bristol.ts';
import { northSomersetRoutes } from './north-somerset.ts';
import { somersetRoutes } from './somerset.ts';
import { southGloucestershireRoutes } from './south-gloucestershire.ts';

/** Every route of Avon and Somerset: each spoke's own, then the partnership-wide ones. */
export const avonAndSomersetRoutes: Route[] = [
  ...bristolRoutes,
  ...somersetRoutes,
  ...northSomersetRoutes,
  ...southGloucestershireRoutes,
  ...bathNeSomersetRoutes,
  ...partnershipWideRoutes(avonAndSomerset.providers.map((provider) => provider.id)),
];
