import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The CSRF token of a session: an HMAC of the session's token under the forms' key. Another site
 * can neither read the session cookie nor compute this, so a form it posts cannot carry it.
 * @example csrfToken(key, sessionToken) // put in every form as a hidden field
 */
export function csrfToken(key: string, session: string): string {
  return createHmac('sha256', key).update(`reachable-forms-csrf\n${session}`).digest('base64url');
}

/** Whether a posted CSRF token is the session's own, compared in constant time. */
export function csrfTokenMatches(key: string, session: string, posted: unknown): boolean {
  return isCsrfToken(csrfToken(key, session), posted);
}

/** Whether a posted CSRF token is the expected one, compared in constant time. */
export function isCsrfToken(expected: string, posted: unknown): boolean {
  if (typeof posted !== 'string' || posted === '') return false;
  const wanted = Buffer.from(expected);
  const given = Buffer.from(posted);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Whether a request's `Origin` (when the browser sends one) is this site: a POST from any other
 * origin, or from an opaque one (`null`), is refused whatever it carries.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!URL.canParse(origin) || host === undefined) return false;
  return new URL(origin).host === host.toLowerCase();
}
