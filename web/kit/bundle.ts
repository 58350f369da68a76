import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * What the pages' Lambda bundles hold besides code, shared by the stack (which copies them at
 * build time, `copyIntoBundle`) and the handlers (which find them at their project paths).
 */

/** What every server-rendered page function copies: the kit's templates, GOV.UK's macros. */
export const pageKitBundleFolders = [
  'web/kit/templates',
  'node_modules/govuk-frontend/dist/govuk/components',
  'node_modules/govuk-frontend/dist/govuk/macros',
] as const;

/** Where GOV.UK Frontend's compiled files are in the installed package. */
export const govukDist = 'node_modules/govuk-frontend/dist/govuk';

/**
 * GOV.UK Frontend's compiled stylesheet and script, served at `/assets/govuk/<file>` as the
 * package has them (never a copy in the source tree). Its fonts are not served: GDS Transport is
 * for GOV.UK services only, and `web/assets/pages.css` sets text in Arial instead.
 */
export const govukAssetFiles = ['govuk-frontend.min.css', 'govuk-frontend.min.js'] as const;

/**
 * A folder or file of the project, wherever the code runs: in a Lambda bundle what a page needs
 * is copied at its project path beside the bundled handler (`copyIntoBundle`); from source this
 * file is `web/kit/`, two below the project root. Fails loudly, naming it, when it is in neither.
 */
export function projectFolder(...segments: string[]): string {
  const candidates = [
    path.join(import.meta.dirname, ...segments),
    path.resolve(import.meta.dirname, '..', '..', ...segments),
  ];
  const found = candidates.find((folder) => existsSync(folder));
  if (!found) throw new Error(`No ${segments.join('/')} beside ${import.meta.dirname}`);
  return found;
}
