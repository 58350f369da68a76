/* global sessionStorage, URLSearchParams */
/**
 * The provider's session (a bearer token kept in sessionStorage) and the provider API on this
 * origin. The token is decoded only to learn which provider it is for; the API verifies it.
 */
import {
  ApiProblem,
  NetworkError,
  call as callApi,
  pastedToken,
  tokenSession,
} from '../assets/http.js';

const tokenKey = 'reachable.provider.token';
const leasesKey = 'reachable.provider.leases';
const idPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** @typedef {{ token: string, providerId: string, expiresAt?: Date }} Session */

export { ApiProblem, NetworkError };

/**
 * Reads what was pasted into the sign-in box: a JWT whose payload names a provider.
 * @param {string} input
 * @returns {Session | { error: string }}
 */
export function parseToken(input) {
  const pasted = pastedToken(input);
  if ('error' in pasted) return pasted;
  const { token, claims } = pasted;
  const { provider, exp } = claims;
  if (typeof provider !== 'string' || !idPattern.test(provider)) {
    return { error: 'Enter a provider’s access token: this one does not name a provider' };
  }
  const expiresAt = typeof exp === 'number' ? new Date(exp * 1000) : undefined;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    return { error: 'This access token has expired: get a new one and sign in again' };
  }
  return { token, providerId: provider, expiresAt };
}

const session = tokenSession(tokenKey, parseToken, { alsoForget: [leasesKey] });

/** The signed-in session, or why there is none (an expired token is forgotten). */
export const loadSession = session.load;
/** Keeps the session's token for this tab. */
export const saveSession = session.save;
/** Forgets the session (and what it held). */
export const clearSession = session.clear;

/**
 * Leases on referrals pulled in this session, by referral id (the API does not repeat them).
 * @returns {Record<string, string>}
 */
export function leases() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(leasesKey) ?? '{}');
    return typeof stored === 'object' && stored !== null ? stored : {};
  } catch {
    return {};
  }
}

/**
 * @param {string} referralId
 * @param {string | undefined} expiresAt undefined forgets the lease
 */
export function rememberLease(referralId, expiresAt) {
  const others = Object.entries(leases()).filter(([id]) => id !== referralId);
  const all = expiresAt === undefined ? others : [...others, [referralId, expiresAt]];
  sessionStorage.setItem(leasesKey, JSON.stringify(Object.fromEntries(all)));
}

/**
 * One call to the API as the signed-in provider: the JSON answer, undefined for 204, or an
 * {@link ApiProblem} / {@link NetworkError} thrown.
 * @param {Session} session
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
function call(session, method, path, body) {
  return callApi(session.token, method, path, body);
}

/**
 * The provider API for the signed-in provider.
 * @param {Session} session
 */
export function providerApi(session) {
  const base = `/v1/providers/${encodeURIComponent(session.providerId)}/referrals`;
  const referral = (/** @type {string} */ id) => `${base}/${encodeURIComponent(id)}`;
  return {
    /** The next referral in the queue with its lease, or undefined when the queue is empty. */
    next: () => call(session, 'GET', `${base}/next`),
    /**
     * @param {{ status?: string, cursor?: string }} query
     */
    list: ({ status, cursor }) => {
      const query = new URLSearchParams();
      if (status) query.set('status', status);
      if (cursor) query.set('cursor', cursor);
      const search = query.toString();
      return call(session, 'GET', search ? `${base}?${search}` : base);
    },
    get: (/** @type {string} */ id) => call(session, 'GET', referral(id)),
    accept: (/** @type {string} */ id) => call(session, 'POST', `${referral(id)}/accept`),
    decline: (/** @type {string} */ id, /** @type {unknown} */ body) =>
      call(session, 'POST', `${referral(id)}/decline`, body),
    attemptContact: (/** @type {string} */ id, /** @type {unknown} */ body) =>
      call(session, 'POST', `${referral(id)}/contact-attempts`, body),
    engaged: (/** @type {string} */ id) => call(session, 'POST', `${referral(id)}/engaged`),
    close: (/** @type {string} */ id, /** @type {unknown} */ body) =>
      call(session, 'POST', `${referral(id)}/close`, body),
  };
}
