import { triageRoute, type Route } from './route.ts';

/** north-somerset: no provider routes yet; everything goes to the spoke's triage. */
export const northSomersetRoutes: Route[] = [triageRoute('north-somerset', [])];
