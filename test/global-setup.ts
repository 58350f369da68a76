import { localPersonalDataEnvironment } from '#local/personal-data-keys.ts';
import { localSigningKey } from '#local/signing-key.ts';
import { loadLocalTemplate } from '#local/template.ts';

/**
 * Synthesizes the local template and makes the local signing and personal data keys once, before
 * test files start runtimes side by side.
 */
export function setup(): void {
  loadLocalTemplate();
  localSigningKey();
  localPersonalDataEnvironment();
}
