import { triageRoute, type Route } from './route.ts';

/** bath-ne-somerset: no provider routes yet; everything goes to the spoke's triage. */
export const bathNeSomersetRoutes: Route[] = [triageRoute('bath-ne-somerset', [])];
