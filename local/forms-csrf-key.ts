import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createOnce } from './key-files.ts';
import { defaultKeyDirectory } from './signing-key.ts';

/** Where the local runtime keeps the referral forms' CSRF key (mode 0600). */
export const defaultCsrfKeyFile = path.join(defaultKeyDirectory, 'forms-csrf-key');

/**
 * The local CSRF key of the referral forms: made once and kept in `file`, so a restart keeps
 * open forms working. Two processes creating it at once end up with the same key.
 */
export function localCsrfKey(file: string = defaultCsrfKeyFile): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) createOnce(file, randomBytes(32).toString('base64url'));
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** The environment the forms function needs locally (see `csrfKeyFromEnv`). */
export function localFormsEnvironment(file?: string): { FORMS_CSRF_KEY: string } {
  return { FORMS_CSRF_KEY: localCsrfKey(file) };
}
