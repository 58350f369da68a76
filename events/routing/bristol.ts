import { triageRoute, type Route } from './route.ts';

/** bristol: no provider routes yet; everything goes to the spoke's triage. */
export const bristolRoutes: Route[] = [triageRoute('bristol', [])];
