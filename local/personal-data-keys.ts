import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createOnce } from './key-files.ts';
import { defaultKeyDirectory } from './signing-key.ts';

/** Where the local runtime keeps the AES-256 key that wraps personal data's data keys (0600). */
export const defaultPersonalDataKeyFile = path.join(defaultKeyDirectory, 'personal-data-key');
/** Where the local runtime keeps the key of the young people's blind index (mode 0600). */
export const defaultSubjectIndexKeyFile = path.join(defaultKeyDirectory, 'subject-index-key');

/** A 256-bit random key, made once and kept in `file` (base64url): the same for every process. */
function localKey(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) createOnce(file, randomBytes(32).toString('base64url'));
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/** The local runtime's personal data key: what a KMS key is on AWS. */
export const localPersonalDataKey = (file: string = defaultPersonalDataKeyFile) => localKey(file);

/** The local runtime's blind index key: what the Secrets Manager secret is on AWS. */
export const localSubjectIndexKey = (file: string = defaultSubjectIndexKeyFile) => localKey(file);

/**
 * The environment the functions that seal, open or index personal data need locally (see
 * `personalDataCipherFromEnv` and `subjectIndexerFromEnv`).
 */
export function localPersonalDataEnvironment(
  files: { personalDataKey?: string; subjectIndexKey?: string } = {},
): { PERSONAL_DATA_LOCAL_KEY: string; SUBJECT_INDEX_LOCAL_KEY: string } {
  return {
    PERSONAL_DATA_LOCAL_KEY: localPersonalDataKey(files.personalDataKey),
    SUBJECT_INDEX_LOCAL_KEY: localSubjectIndexKey(files.subjectIndexKey),
  };
}
