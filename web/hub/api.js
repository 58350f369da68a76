/* global URLSearchParams */
/**
 * The hub analyst's session (a bearer token kept in sessionStorage) and the hub API on this
 * origin. The page does not decide who may read the metrics: any well-formed token is sent, and
 * the API answers 403 to one that is not the partnership hub's.
 */
import { ApiProblem, NetworkError, call, pastedToken, send, tokenSession } from '../assets/http.js';

export { ApiProblem, NetworkError };

const tokenKey = 'reachable.hub.token';

/**
 * @typedef {{ token: string, name: string, hub?: string, expiresAt?: Date }} Session
 *   `name` says whom the token is for (its hub, else its provider, organisation or subject)
 * @typedef {{ from: string, to: string, spoke: string }} Filters months as "YYYY-MM"; spoke '' for all
 */

/**
 * Reads what was pasted into the sign-in box: a JWT.
 * @param {string} input
 * @returns {Session | { error: string }}
 */
export function parseToken(input) {
  const pasted = pastedToken(input);
  if ('error' in pasted) return pasted;
  const { token, claims } = pasted;
  const expiresAt = typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    return { error: 'This access token has expired: get a new one and sign in again' };
  }
  // A hub analyst's token names the partnership it is for.
  const hub = typeof claims.partnership === 'string' ? claims.partnership : undefined;
  const name = [hub, claims.provider, claims.organisation, claims.spoke, claims.sub].find(
    (claim) => typeof claim === 'string' && claim !== '',
  );
  return { token, name: String(name ?? 'an unnamed token'), hub, expiresAt };
}

const session = tokenSession(tokenKey, parseToken);

/** The signed-in session, or why there is none (an expired token is forgotten). */
export const loadSession = session.load;
/** Keeps the session's token for this tab. */
export const saveSession = session.save;
/** Forgets the session (and what it held). */
export const clearSession = session.clear;

/**
 * The query of `GET /v1/hub/metrics` for the filters and grouping.
 * @param {Filters} filters
 * @param {string[]} groupBy
 */
export function metricsQuery({ from, to, spoke }, groupBy) {
  const query = new URLSearchParams({ from, to });
  if (spoke) query.set('spoke', spoke);
  if (groupBy.length) query.set('groupBy', groupBy.join(','));
  return query.toString();
}

/**
 * The hub API as the signed-in analyst.
 * @param {Session} session
 */
export function hubApi(session) {
  return {
    /**
     * Rows of counts, rates and times for the filters, one per group (one in all without).
     * @param {Filters} filters
     * @param {string[]} [groupBy]
     */
    metrics: (filters, groupBy = []) =>
      call(session.token, 'GET', `/v1/hub/metrics?${metricsQuery(filters, groupBy)}`),
    /**
     * A quarterly return as CSV, with the file name the API gives it.
     * @param {string} period such as "2026-Q1"
     * @returns {Promise<{ blob: Blob, fileName: string }>}
     */
    returnCsv: async (period) => {
      const response = await send(
        session.token,
        'GET',
        `/v1/hub/returns/${encodeURIComponent(period)}?format=csv`,
        { accept: 'text/csv' },
      );
      const disposition = response.headers.get('content-disposition') ?? '';
      const named = /filename="([^"/\\]+)"/.exec(disposition)?.[1];
      return { blob: await response.blob(), fileName: named ?? `reachable-${period}.csv` };
    },
  };
}
