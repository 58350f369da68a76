import { avonAndSomerset } from './partnership.ts';
import { partnershipWideRoutes, type Route } from '#shared/routing/routes.ts';
import { bathNeSomersetRoutes } from './routes/bath-ne-somerset.ts';
import { bristolRoutes } from './routes/bristol.ts';
import { northSomersetRoutes } from './routes/north-somerset.ts';
import { somersetRoutes } from './routes/somerset.ts';
import { southGloucestershireRoutes } from './routes/south-gloucestershire.ts';

/** Every route of Avon and Somerset: each spoke's own, then the partnership-wide ones. */
export const avonAndSomersetRoutes: Route[] = [
  ...bristolRoutes,
  ...somersetRoutes,
  ...northSomersetRoutes,
  ...southGloucestershireRoutes,
  ...bathNeSomersetRoutes,
  ...partnershipWideRoutes(avonAndSomerset.providers.map((provider) => provider.id)),
];
