import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { idSchema, type ProviderId } from '../domain/partnership.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.ts';

/** Who is calling, once their bearer token holds: a provider, or a referrer organisation. */
export type Principal =
  | { kind: 'provider'; providerId: string; subject: string }
  | { kind: 'organisation'; organisationId: string; subject: string }
  | { kind: 'hub'; partnershipId: string; subject: string };

export interface AuthenticatorOptions {
  /** Where verification keys come from: `createLocalJWKSet` or `createRemoteJWKSet`. */
  keys: JWTVerifyGetKey;
  /** The `iss` every token must carry. */
  issuer: string;
  /** The `aud` every token must carry (or include). */
  audience: string;
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
  readonly #audience: string;
  readonly #clockTolerance: number;

  constructor({ keys, issuer, audience, clockToleranceSeconds = 30 }: AuthenticatorOptions) {
    this.#keys = keys;
    this.#issuer = issuer;
    this.#audience = audience;
    this.#clockTolerance = clockToleranceSeconds;
  }

  /** The caller named by the request's `Authorization: Bearer <jwt>` header. */
  async authenticate(headers: Record<string, string | undefined>): Promise<Principal> {
    const token = bearerToken(headers);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        algorithms,
        issuer: this.#issuer,
        audience: this.#audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: this.#clockTolerance,
      }));
    } catch (error) {
      const refusal = refusalFor(error);
      if (refusal === undefined) throw error;
      throw new UnauthorizedError(refusal);
    }
    return principalFrom(payload);
  }
}

/**
 * The authenticator a function runs with, from its environment: keys from `AUTH_JWKS_JSON`
 * (an inline JWKS) if set, else from `AUTH_JWKS_URL`; `AUTH_ISSUER` and `AUTH_AUDIENCE` required.
 * Fails loudly, naming the variable, when one is missing or unusable.
 */
export function authenticatorFromEnv(env: NodeJS.ProcessEnv = process.env): Authenticator {
  const issuer = required(env, 'AUTH_ISSUER');
  const audience = required(env, 'AUTH_AUDIENCE');
  return new Authenticator({ keys: keysFromEnv(env), issuer, audience });
}

/**
 * Lets only the provider named through. Anyone else gets the same 404 as for a provider that
 * does not exist: a provider must not learn whether another provider's referral exists.
 */
export function requireProvider(principal: Principal, providerId: string): void {
  if (principal.kind !== 'provider' || principal.providerId !== providerId) {
    throw new NotFoundError('No such provider.');
  }
}

/** Lets only the referrer organisation named through; anyone else gets a 404, as above. */
export function requireOrganisation(principal: Principal, organisationId: string): void {
  if (principal.kind !== 'organisation' || principal.organisationId !== organisationId) {
    throw new NotFoundError('No such organisation.');
  }
}

/**
 * Lets only the hub of this partnership through. Providers and organisations are known callers
 * asking for what is not theirs to see: 403, not 404, as the hub's routes are no secret.
 */
export function requireHub(principal: Principal, partnershipId: string): void {
  if (principal.kind !== 'hub' || principal.partnershipId !== partnershipId) {
    throw new ForbiddenError('Only the partnership hub can see its metrics.');
  }
}

/** The caller of a provider route, once authenticated. */
export interface ProviderPrincipal {
  providerId: ProviderId;
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
  return { providerId: parsed.data };
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

// What a token may be for: one provider, one referrer organisation, or a partnership's hub.
const roleClaims = ['provider', 'organisation', 'hub'] as const;
type RoleClaim = (typeof roleClaims)[number];

function principalFrom(payload: JWTPayload): Principal {
  const { sub: subject } = payload;
  if (typeof subject !== 'string' || subject === '') {
    throw new UnauthorizedError('Token sub claim is not valid.');
  }
  const present = roleClaims.filter((claim) => payload[claim] !== undefined);
  if (present.length > 1) {
    throw new UnauthorizedError(`Token has ${present.join(' and ')} claims; one only.`);
  }
  const [claim] = present;
  if (!claim)
    throw new UnauthorizedError('Token has no role claim (provider, organisation or hub).');
  const id = roleId(payload[claim], claim);
  if (claim === 'provider') return { kind: 'provider', providerId: id, subject };
  if (claim === 'organisation') return { kind: 'organisation', organisationId: id, subject };
  return { kind: 'hub', partnershipId: id, subject };
}

function roleId(value: unknown, claim: RoleClaim): string {
  const parsed = idSchema.safeParse(value);
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
