import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/** Where the referral forms' CSRF key comes from. */
export type CsrfKeySource = () => Promise<string>;

// A rotated key is picked up within five minutes; open forms then need reloading.
const cacheSeconds = 300;

/**
 * The forms' CSRF key: `FORMS_CSRF_KEY` (the local runtime's generated key) if set, else the
 * Secrets Manager secret `FORMS_CSRF_KEY_ARN` (a random string), read through Powertools with a
 * cache. Fails loudly, naming the variable, when neither is set.
 */
export function csrfKeyFromEnv(env: NodeJS.ProcessEnv = process.env): CsrfKeySource {
  const inline = env.FORMS_CSRF_KEY;
  if (inline) return async () => inline;
  const arn = env.FORMS_CSRF_KEY_ARN;
  if (!arn)
    throw new Error('Environment variable FORMS_CSRF_KEY_ARN (or FORMS_CSRF_KEY) is not set');
  return async () => {
    const key = await getSecret(arn, { maxAge: cacheSeconds });
    if (typeof key !== 'string' || key.length < 32) {
      throw new Error(`The secret ${arn} is not a CSRF key of at least 32 characters`);
    }
    return key;
  };
}
