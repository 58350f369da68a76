import { createHmac } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { subjectIndexInput, type SubjectKey } from '../domain/subject.ts';

/**
 * The blind index of a young person: HMAC-SHA256, under a key only the writing functions and
 * subject access hold, of their normalised names and date of birth. Stored on each referral
 * about them, it finds their referrals for a subject access request without a scan and
 * without names in the clear; without the key it cannot be recomputed from a guess.
 */
export type SubjectIndexer = (subject: SubjectKey) => Promise<string>;

// Changing the key makes every stored index unfindable, so it is never rotated silently; the
// cache only saves a Secrets Manager call per invocation.
const cacheSeconds = 300;

/** A blind index under the key `key()` gives (at least 32 characters). */
export function subjectIndexer(key: () => Promise<string>): SubjectIndexer {
  return async (subject) => {
    const secret = await key();
    if (secret.length < 32) throw new Error('The subject index key is shorter than 32 characters');
    return createHmac('sha256', secret).update(subjectIndexInput(subject)).digest('base64url');
  };
}

/**
 * The blind index of this function: under `SUBJECT_INDEX_LOCAL_KEY` (the embedded runtime's
 * generated key) if set, else the Secrets Manager secret `SUBJECT_INDEX_KEY_ARN`, read through
 * Powertools with a cache. Fails loudly, naming the variable, when neither is set.
 */
export function subjectIndexerFromEnv(env: NodeJS.ProcessEnv = process.env): SubjectIndexer {
  const inline = env.SUBJECT_INDEX_LOCAL_KEY;
  if (inline) return subjectIndexer(async () => inline);
  const arn = env.SUBJECT_INDEX_KEY_ARN;
  if (!arn) {
    throw new Error(
      'Environment variable SUBJECT_INDEX_KEY_ARN (or SUBJECT_INDEX_LOCAL_KEY) is not set',
    );
  }
  return subjectIndexer(async () => {
    const key = await getSecret(arn, { maxAge: cacheSeconds });
    if (typeof key !== 'string') throw new Error(`The secret ${arn} is not a string`);
    return key;
  });
}
