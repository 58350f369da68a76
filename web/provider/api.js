/* global atob, fetch, sessionStorage, TextDecoder, URLSearchParams */
/**
 * The provider's session (a bearer token kept in sessionStorage) and the provider API on this
 * origin. The token is decoded only to learn which provider it is for; the API verifies it.
 */

const tokenKey = 'reachable.provider.token';
const leasesKey = 'reachable.provider.leases';
const idPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * @typedef {{ token: string, providerId: string, expiresAt?: Date }} Session
 * @typedef {{ pointer: string, detail: string }} FieldProblem
 */

/** An RFC 9457 problem the API answered with. */
export class ApiProblem extends Error {
  /**
   * @param {number} status
   * @param {Record<string, unknown>} problem
   */
  constructor(status, problem) {
    const title = typeof problem.title === 'string' ? problem.title : `Error ${status}`;
    super(typeof problem.detail === 'string' ? problem.detail : title);
    this.name = 'ApiProblem';
    this.status = status;
    this.title = title;
    /** @type {FieldProblem[]} */
    this.errors = Array.isArray(problem.errors)
      ? problem.errors.filter(
          (e) => typeof e?.pointer === 'string' && typeof e?.detail === 'string',
        )
      : [];
    /** @type {string[] | undefined} for an illegal transition: what the status allows */
    this.allowed = Array.isArray(problem.allowed) ? problem.allowed.map(String) : undefined;
    /** @type {string | undefined} */
    this.currentStatus =
      typeof problem.currentStatus === 'string' ? problem.currentStatus : undefined;
  }
}

/** The API could not be reached at all. */
export class NetworkError extends Error {
  constructor() {
    super('Reachable could not be reached. Check your connection and try again.');
    this.name = 'NetworkError';
  }
}

/**
 * Reads what was pasted into the sign-in box: a JWT whose payload names a provider.
 * @param {string} input
 * @returns {Session | { error: string }}
 */
export function parseToken(input) {
  const token = input.trim().replace(/^Bearer\s+/i, '');
  if (token === '') return { error: 'Enter your access token' };
  const payload = decodePayload(token);
  if (!payload)
    return { error: 'Enter a complete access token: it has three parts joined by dots' };
  const { provider, exp } = payload;
  if (typeof provider !== 'string' || !idPattern.test(provider)) {
    return { error: 'Enter a provider’s access token: this one does not name a provider' };
  }
  const expiresAt = typeof exp === 'number' ? new Date(exp * 1000) : undefined;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    return { error: 'This access token has expired: get a new one and sign in again' };
  }
  return { token, providerId: provider, expiresAt };
}

/** @returns {Record<string, unknown> | undefined} */
function decodePayload(token) {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const base64 = parts[1].replaceAll('-', '+').replaceAll('_', '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return typeof payload === 'object' && payload !== null ? payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signed-in session, or why there is none.
 * @returns {{ session?: Session, expired?: boolean }}
 */
export function loadSession() {
  const stored = sessionStorage.getItem(tokenKey);
  if (!stored) return {};
  const parsed = parseToken(stored);
  if ('error' in parsed) {
    clearSession();
    return { expired: true };
  }
  return { session: parsed };
}

/** @param {Session} session */
export function saveSession(session) {
  sessionStorage.setItem(tokenKey, session.token);
}

export function clearSession() {
  sessionStorage.removeItem(tokenKey);
  sessionStorage.removeItem(leasesKey);
}

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
async function call(session, method, path, body) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(path, {
      method,
      cache: 'no-store',
      headers: {
        accept: 'application/json, application/problem+json',
        authorization: `Bearer ${session.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new NetworkError();
  }
  if (response.status === 204) return undefined;
  const type = response.headers.get('content-type') ?? '';
  const data = /json/.test(type) ? await response.json().catch(() => undefined) : undefined;
  if (!response.ok) throw new ApiProblem(response.status, data ?? {});
  return data;
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
