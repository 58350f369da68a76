/* global atob, fetch, sessionStorage, TextDecoder */
/**
 * What the pages share about talking to the API on this origin: a bearer token's claims (read,
 * never verified: the API does that), one request with the token, and the API's problems as
 * errors.
 */

/** @typedef {{ pointer: string, detail: string }} FieldProblem */

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
 * The claims of a JWT, decoded without checking its signature, or undefined if it is not one.
 * @param {string} token
 * @returns {Record<string, unknown> | undefined}
 */
export function tokenClaims(token) {
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
 * What was pasted into a sign-in box, read as a JWT (`Bearer ` and spaces around it dropped), or
 * what is wrong with it. The page goes on to check the claims it needs.
 * @param {string} input
 * @returns {{ token: string, claims: Record<string, unknown> } | { error: string }}
 */
export function pastedToken(input) {
  const token = input.trim().replace(/^Bearer\s+/i, '');
  if (token === '') return { error: 'Enter your access token' };
  const claims = tokenClaims(token);
  if (!claims) return { error: 'Enter a complete access token: it has three parts joined by dots' };
  return { token, claims };
}

/**
 * One call to the API with a bearer token: the response when it is a success, or an
 * {@link ApiProblem} / {@link NetworkError} thrown.
 * @param {string} token
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, accept?: string }} [options]
 * @returns {Promise<Response>}
 */
export async function send(token, method, path, { body, accept = 'application/json' } = {}) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(path, {
      method,
      cache: 'no-store',
      headers: {
        accept: `${accept}, application/problem+json`,
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new NetworkError();
  }
  if (!response.ok) throw new ApiProblem(response.status, (await jsonOf(response)) ?? {});
  return response;
}

/**
 * One call to the API answered in JSON: the answer, or undefined for 204.
 * @param {string} token
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
export async function call(token, method, path, body) {
  const response = await send(token, method, path, { body });
  return response.status === 204 ? undefined : jsonOf(response);
}

/** @param {Response} response */
async function jsonOf(response) {
  const type = response.headers.get('content-type') ?? '';
  return /json/.test(type) ? response.json().catch(() => undefined) : undefined;
}

/**
 * A page's session: its bearer token kept in sessionStorage under `storageKey` (gone when the
 * tab closes), read back through the page's own `parseToken`. An expired or unreadable token is
 * forgotten and said so. `alsoForget` names other keys of the session that signing out clears.
 * @template S
 * @param {string} storageKey
 * @param {(input: string) => S | { error: string }} parseToken
 * @param {{ alsoForget?: string[] }} [options]
 */
export function tokenSession(storageKey, parseToken, { alsoForget = [] } = {}) {
  const clear = () => {
    for (const key of [storageKey, ...alsoForget]) sessionStorage.removeItem(key);
  };
  return {
    /** @returns {{ session?: S, expired?: boolean }} */
    load() {
      const stored = sessionStorage.getItem(storageKey);
      if (!stored) return {};
      const parsed = parseToken(stored);
      if (parsed && typeof parsed === 'object' && 'error' in parsed) {
        clear();
        return { expired: true };
      }
      return { session: /** @type {S} */ (parsed) };
    },
    /** @param {{ token: string }} session */
    save(session) {
      sessionStorage.setItem(storageKey, session.token);
    },
    clear,
  };
}
