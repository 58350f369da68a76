import { signLocalToken } from '#local/signing-key.ts';

/** The organisation whose token sends a body that names none (or is not JSON at all). */
export const defaultReferrer = 'musgrove-park-hospital-ae';

/** The referrer organisation a referral body names (`referrer.organisationId`), if it names one. */
export function organisationOf(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  const named = (parsed as { referrer?: { organisationId?: unknown } } | null)?.referrer
    ?.organisationId;
  return typeof named === 'string' ? named : undefined;
}

export interface PostReferralOptions {
  /**
   * Whose bearer token is sent.
   * @default the organisation the body names, else {@link defaultReferrer}
   */
  organisation?: string;
  /** More headers, or others in place of the defaults (`content-type: application/json`). */
  headers?: Record<string, string>;
}

/**
 * `POST /v1/referrals` as a referrer organisation's system sends it: the body (an object is sent
 * as JSON, a string as it is) with a local bearer token of the organisation the body names.
 * @example const response = await postReferral(runtime, exampleReferral('admit-friday-night.json'));
 */
export async function postReferral(
  runtime: { url: string },
  body: unknown,
  { organisation, headers = {} }: PostReferralOptions = {},
): Promise<Response> {
  const token = await signLocalToken({
    organisation: organisation ?? organisationOf(body) ?? defaultReferrer,
  });
  return fetch(`${runtime.url}/v1/referrals`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
