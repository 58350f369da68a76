/**
 * What the hub dashboard's bundles hold besides code, shared by the stack (which copies them at
 * build time, `copyIntoBundle`) and the handlers (which find them at their project paths).
 */

/** The hub page's own templates. */
export const hubTemplates = 'web/hub/templates';

/** Where Chart.js's built files are in the installed package. */
export const chartJsDist = 'node_modules/chart.js/dist';

/**
 * Chart.js's browser build, served at `/assets/chart.js/<file>` by the web function as the
 * installed package has it (never a copy in the source tree).
 */
export const chartJsFiles = ['chart.umd.min.js'] as const;
