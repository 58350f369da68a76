import { localSigningKey } from '#local/signing-key.ts';
import { loadLocalTemplate } from '#local/template.ts';

/**
 * Synthesizes the local template and makes the local signing key once, before test files
 * start runtimes side by side.
 */
export function setup(): void {
  loadLocalTemplate();
  localSigningKey();
}
