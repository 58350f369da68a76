import { triageRoute, type Route } from './route.ts';

/** south-gloucestershire: no provider routes yet; everything goes to the spoke's triage. */
export const southGloucestershireRoutes: Route[] = [triageRoute('south-gloucestershire', [])];
