import type { SpokeId } from '#shared/domain/partnership.ts';
import { bathNeSomersetRoutes } from './bath-ne-somerset.ts';
import { bristolRoutes } from './bristol.ts';
import { northSomersetRoutes } from './north-somerset.ts';
import type { Route } from './route.ts';
import { somersetRoutes } from './somerset.ts';
import { southGloucestershireRoutes } from './south-gloucestershire.ts';

export type { Destination, Route } from './route.ts';

/** Every spoke's routes, as data. The CDK stack turns each into an EventBridge rule. */
export const routesBySpoke: Record<SpokeId, Route[]> = {
  bristol: bristolRoutes,
  somerset: somersetRoutes,
  'north-somerset': northSomersetRoutes,
  'south-gloucestershire': southGloucestershireRoutes,
  'bath-ne-somerset': bathNeSomersetRoutes,
};
