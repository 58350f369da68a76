import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { type ProviderId } from '../domain/partnership.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.ts';
import { idSchema } from '#events/vocabulary.ts';

/**
 * The roles a token can hold, each granted by one OAuth scope and tied to one tenant claim: the
 * provider, referrer organisation, spoke or partnership the caller acts for. The same scopes are
 * the API Gateway authorizer's route scopes on AWS and the local runtime's tokens' scopes.
 */
export const roles = {
  organisation: {
    scope: 'reachable/referrer',
    claim: 'organisation',
    title: 'referrer organisations',
  },
  provider: { scope: 'reachable/provider', claim: 'provider', title: 'providers' },
  spoke: { scope: 'reachable/spoke-coordinator', claim: 'spoke', title: 'spoke coordinators' },
  hub: { scope: 'reachable/hub-analyst', claim: 'partnership', title: 'hub analysts' },
  admin: { scope: 'reachable/admin', claim: 'partnership', title: 'administrators' },
} as const;
export type Role = keyof typeof roles;

/** Who is calling, once their bearer token holds, and for whom they act. */
export type Principal =
  | { kind: 'organisation'; organisationId: string; subject: string }
  | { kind: 'provider'; providerId: string; subject: string }
  | { kind: 'spoke'; spokeId: string; subject: string }
  | { kind: 'hub'; partnershipId: string; subject: string }
  | { kind: 'admin'; partnershipId: string; subject: string };

export interface AuthenticatorOptions {
  /** Where verification keys come from: `createLocalJWKSet` or `createRemoteJWKSet`. */
  keys: JWTVerifyGetKey;
  /** The `iss` every token must carry. */
  issuer: string;
  /**
   * The audiences accepted: a token's `aud` must name one, or, for a token without `aud` (a
   * Cognito access token), its `client_id` must be one: API Gateway's JWT authorizer rule.
   */
  audience: string | readonly string[];
  /** Clock skew allowed on `exp` and `nbf`; 30 seconds unless set. */
  clockToleranceSeconds?: number;
}

/** Asymmetric algorithms only: a symmetric or unsigned token is never accepted. */
const algorithms = ['ES256', 'RS256'];

/** RFC 6750 b64token: what may follow `Bearer `. */
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Verifies bearer tokens (JWTs) against a JWKS and turns them into a {@link Principal}.
 * Every refusal is an {@link UnauthorizedError} saying briefly what is wrong; the token itself is
 * never echoed. Failures on our side (the JWKS cannot be fetched) are rethrown as they are.
 */
export class Authenticator {
  readonly #keys: JWTVerifyGetKey;
  readonly #issuer: string;
  readonly #audiences: ReadonlySet<string>;
  readonly #clockTolerance: number;

  constructor({ keys, issuer, audience, clockToleranceSeconds = 30 }: AuthenticatorOptions) {
    this.#keys = keys;
    this.#issuer = issuer;
    this.#audiences = new Set(typeof audience === 'string' ? [audience] : audience);
    this.#clockTolerance = clockToleranceSeconds;
  }

  /** The caller named by the request's `Authorization: Bearer <jwt>` header. */
  async authenticate(headers: Record<string, string | undefined>): Promise<Principal> {
    const token = bearerToken(headers);
    let verified: { payload: JWTPayload; protectedHeader: JWTHeaderParameters };
    try {
      verified = await jwtVerify(token, this.#keys, {
        algorithms,
        issuer: this.#issuer,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: this.#clockTolerance,
      });
    } catch (error) {
      const refusal = refusalFor(error);
      if (refusal === undefined) throw error;
      throw new UnauthorizedError(refusal);
    }
    checkAudience(verified.payload, this.#audiences);
    checkAccessToken(verified);
    return principalFrom(verified.payload);
  }
}

/**
 * The authenticator a function runs with, from its environment: keys from `AUTH_JWKS_JSON`
 * (an inline JWKS) if set, else from `AUTH_JWKS_URL`; `AUTH_ISSUER` and `AUTH_AUDIENCE` (one or
 * more, comma-separated) required.
 * Fails loudly, naming the variable, when one is missing or unusable.
 */
export function authenticatorFromEnv(env: NodeJS.ProcessEnv = process.env): Authenticator {
  const issuer = required(env, 'AUTH_ISSUER');
  // A comma-separated list: e.g. the app clients of a Cognito user pool.
  const audience = required(env, 'AUTH_AUDIENCE')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return new Authenticator({ keys: keysFromEnv(env), issuer, audience });
}

/**
 * Lets only callers of the role given through; anyone else is a known caller on a route that is
 * not theirs: 403, naming who the route is for.
 */
export function requireRole<R extends Role>(
  principal: Principal,
  role: R,
): asserts principal is Extract<Principal, { kind: R }> {
  if (principal.kind !== role) {
    throw new ForbiddenError(`Only ${roles[role].title} can use this route.`);
  }
}

/**
 * Lets only the provider named through. Another role gets 403; another provider gets the same
 * 404 as for a provider that does not exist: a provider must not learn whether another
 * provider's referral exists.
 */
export function requireProvider(principal: Principal, providerId: string): void {
  requireRole(principal, 'provider');
  if (principal.providerId !== providerId) throw new NotFoundError('No such provider.');
}

/** Lets only the referrer organisation named through: 403 for another role, 404 as above. */
export function requireOrganisation(principal: Principal, organisationId: string): void {
  requireRole(principal, 'organisation');
  if (principal.organisationId !== organisationId) {
    throw new NotFoundError('No such organisation.');
  }
}

/** Lets only the coordinator of the spoke named through; another spoke's gets 403. */
export function requireSpokeCoordinator(principal: Principal, spokeId: string): void {
  requireRole(principal, 'spoke');
  if (principal.spokeId !== spokeId) {
    throw new ForbiddenError(`Only the coordinators of ${spokeId} can see its figures.`);
  }
}

/** Lets only the hub analysts of this partnership through: 403 for anyone else. */
export function requireHub(principal: Principal, partnershipId: string): void {
  requireRole(principal, 'hub');
  if (principal.partnershipId !== partnershipId) {
    throw new ForbiddenError('Only the partnership hub can see its metrics.');
  }
}

/** Lets only the administrators of this partnership through: 403 for anyone else. */
export function requireAdmin(principal: Principal, partnershipId: string): void {
  requireRole(principal, 'admin');
  if (principal.partnershipId !== partnershipId) {
    throw new ForbiddenError('Only the administrators of this partnership can use this route.');
  }
}

/** The caller of a provider route, once authenticated. */
export interface ProviderPrincipal {
  providerId: ProviderId;
  /** The person calling: the token's `sub`, for the audit trail. */
  subject: string;
}

/**
 * A provider route's caller: the bearer token must be that of the provider named in the path
 * (`{providerId}`); 401 without a valid token, 404 for a token of anyone else.
 */
export async function authenticateProviderRoute(
  authenticator: Authenticator,
  event: APIGatewayProxyEventV2,
): Promise<ProviderPrincipal> {
  const principal = await authenticator.authenticate(event.headers);
  const parsed = idSchema.safeParse(event.pathParameters?.providerId);
  if (!parsed.success) throw new NotFoundError('No such provider.');
  requireProvider(principal, parsed.data);
  return { providerId: parsed.data, subject: principal.subject };
}

function bearerToken(headers: Record<string, string | undefined>): string {
  const values = Object.entries(headers)
    .filter(([name, value]) => name.toLowerCase() === 'authorization' && value !== undefined)
    .map(([, value]) => (value ?? '').trim());
  if (values.length > 1) throw new UnauthorizedError('More than one Authorization header.');
  const [value] = values;
  if (!value) throw new UnauthorizedError('Missing bearer token.');
  const [scheme = '', ...rest] = value.split(/\s+/);
  if (scheme.toLowerCase() !== 'bearer') {
    throw new UnauthorizedError('The Authorization header must use the Bearer scheme.');
  }
  if (rest.length === 0) throw new UnauthorizedError('Missing bearer token.');
  const [token] = rest;
  if (rest.length > 1 || token === undefined || !b64token.test(token)) {
    throw new UnauthorizedError('Malformed bearer token.');
  }
  return token;
}

/** Why a token is refused, for what jose raises on a bad token; undefined for our own failures. */
function refusalFor(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'Token expired.';
  if (error instanceof errors.JWTClaimValidationFailed) return claimRefusal(error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'Bad token signature.';
  if (error instanceof errors.JWKSNoMatchingKey) {
    return 'Bad token signature: signed by a key the issuer does not publish.';
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return 'Token does not say which key signed it (kid).';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return 'Token algorithm not allowed (ES256 or RS256 only).';
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return 'Malformed bearer token.';
  }
  return undefined;
}

function claimRefusal({ claim, reason }: errors.JWTClaimValidationFailed): string {
  if (reason === 'check_failed') {
    if (claim === 'iss') return 'Wrong token issuer.';
    if (claim === 'aud') return 'Wrong token audience.';
    if (claim === 'nbf') return 'Token not yet valid.';
  }
  if (reason === 'missing') return `Token has no ${claim} claim.`;
  return `Token ${claim} claim is not valid.`;
}

/**
 * The audience rule of API Gateway's JWT authorizer: `aud` (string or list) must name an accepted
 * audience; a token without `aud` must carry an accepted `client_id` instead.
 */
function checkAudience(payload: JWTPayload, accepted: ReadonlySet<string>): void {
  if (payload.aud === undefined) {
    if (typeof payload.client_id === 'string' && accepted.has(payload.client_id)) return;
    throw new UnauthorizedError('Wrong token audience.');
  }
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
  if (!audiences.some((audience) => accepted.has(audience))) {
    throw new UnauthorizedError('Wrong token audience.');
  }
}

/**
 * Only access tokens open the API: Cognito marks them `token_use: access` and RFC 9068 types
 * them `at+jwt`. An ID token says who someone is, not what they may do, so it is refused.
 */
function checkAccessToken({
  payload,
  protectedHeader,
}: {
  payload: JWTPayload;
  protectedHeader: JWTHeaderParameters;
}): void {
  const tokenUse = payload.token_use;
  if (tokenUse === 'access') return;
  if (tokenUse === 'id') throw new UnauthorizedError('An ID token is not an access token.');
  if (tokenUse === undefined && protectedHeader.typ?.toLowerCase().endsWith('at+jwt')) return;
  throw new UnauthorizedError('Token is not an access token (token_use).');
}

/** The role scopes a token grants: `scope` (space-separated) or `scp` (a list), ours only. */
function roleScopesOf(payload: JWTPayload): Role[] {
  const granted =
    typeof payload.scope === 'string'
      ? payload.scope.split(' ')
      : Array.isArray(payload.scp)
        ? payload.scp.filter((scope): scope is string => typeof scope === 'string')
        : [];
  return (Object.keys(roles) as Role[]).filter((role) => granted.includes(roles[role].scope));
}

function principalFrom(payload: JWTPayload): Principal {
  const { sub: subject } = payload;
  if (typeof subject !== 'string' || subject === '') {
    throw new UnauthorizedError('Token sub claim is not valid.');
  }
  const granted = roleScopesOf(payload);
  if (granted.length > 1) {
    throw new UnauthorizedError('Token grants more than one role; one only.');
  }
  const [role] = granted;
  if (!role) throw new UnauthorizedError('Token has no Reachable scope.');
  const id = tenantId(payload, role);
  switch (role) {
    case 'organisation':
      return { kind: role, organisationId: id, subject };
    case 'provider':
      return { kind: role, providerId: id, subject };
    case 'spoke':
      return { kind: role, spokeId: id, subject };
    case 'hub':
    case 'admin':
      return { kind: role, partnershipId: id, subject };
  }
}

/** Whom the role acts for: the role's claim, a valid id. */
function tenantId(payload: JWTPayload, role: Role): string {
  const { claim } = roles[role];
  const parsed = idSchema.safeParse(payload[claim]);
  if (!parsed.success) throw new UnauthorizedError(`Token ${claim} claim is not a valid id.`);
  return parsed.data;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

function keysFromEnv(env: NodeJS.ProcessEnv): JWTVerifyGetKey {
  const inline = env.AUTH_JWKS_JSON;
  if (inline !== undefined && inline !== '') {
    let jwks: unknown;
    try {
      jwks = JSON.parse(inline);
    } catch (cause) {
      throw new Error('Environment variable AUTH_JWKS_JSON is not valid JSON', { cause });
    }
    try {
      return createLocalJWKSet(jwks as JSONWebKeySet);
    } catch (cause) {
      throw new Error('Environment variable AUTH_JWKS_JSON is not a JSON Web Key Set', { cause });
    }
  }
  const url = env.AUTH_JWKS_URL;
  if (url === undefined || url === '') {
    throw new Error('Missing required environment variable AUTH_JWKS_URL (or AUTH_JWKS_JSON)');
  }
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'https:' && parsed?.protocol !== 'http:') {
    throw new Error('Environment variable AUTH_JWKS_URL is not an http(s) URL');
  }
  return createRemoteJWKSet(parsed);
}
