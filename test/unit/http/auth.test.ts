import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SignJWT,
  base64url,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, UnauthorizedError } from '#shared/errors.ts';
import {
  Authenticator,
  authenticateProviderRoute,
  authenticatorFromEnv,
  requireHub,
  requireOrganisation,
  requireProvider,
  type Principal,
} from '#shared/http/auth.ts';
import { problemResponse, toProblem } from '#shared/http/problem.ts';
import { apiEvent } from '#test/unit/functions/builders.ts';

const issuer = 'https://login.reachable.example';
const audience = 'reachable';
const provider = 'turning-point-admit';
const organisation = 'musgrove-park-hospital-ae';

interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
}

async function signingKey(alg: 'ES256' | 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { privateKey, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, kid };
}

const es256 = await signingKey('ES256');
const rs256 = await signingKey('RS256');
const jwks: JSONWebKeySet = { keys: [es256.publicJwk, rs256.publicJwk] };
const authenticator = new Authenticator({ keys: createLocalJWKSet(jwks), issuer, audience });

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A provider's access token's claims; an override of `undefined` leaves that claim out. */
function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const all: Record<string, unknown> = {
    iss: issuer,
    aud: audience,
    sub: 'jo.bloggs@turning-point.example',
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    token_use: 'access',
    scope: 'reachable/provider',
    provider,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

function sign(payload: JWTPayload, key: SigningKey = es256, alg = 'ES256'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, kid: key.kid }).sign(key.privateKey);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The refusal for a request: an UnauthorizedError that does not echo the token. */
async function refusal(headers: Record<string, string | undefined>): Promise<string> {
  const error: unknown = await authenticator.authenticate(headers).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  const { message } = error as UnauthorizedError;
  for (const value of Object.values(headers)) {
    const token = value?.split(' ').at(-1);
    if (token) expect(message).not.toContain(token);
  }
  return message;
}

describe('Authenticator', () => {
  it('names the provider a valid ES256 token is for, reading the header in any case', async () => {
    // Prepare
    const token = await sign(claims());

    // Act
    const principal = await authenticator.authenticate({ Authorization: `Bearer ${token}` });

    // Assess
    expect(principal).toEqual({
      kind: 'provider',
      providerId: provider,
      subject: 'jo.bloggs@turning-point.example',
    });
  });

  it('names the organisation a valid RS256 token is for', async () => {
    // Prepare
    const token = await sign(
      claims({
        provider: undefined,
        organisation,
        scope: 'reachable/referrer',
        sub: 'a-and-e-nurse-7',
      }),
      rs256,
      'RS256',
    );

    // Act
    const principal = await authenticator.authenticate(bearer(token));

    // Assess
    expect(principal).toEqual({
      kind: 'organisation',
      organisationId: organisation,
      subject: 'a-and-e-nurse-7',
    });
  });

  it.each([
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['a Bearer scheme without a token', { authorization: 'Bearer ' }],
  ])('refuses %s as a missing token', async (_case, headers) => {
    // Act
    const message = await refusal(headers);

    // Assess
    expect(message).toBe('Missing bearer token.');
  });

  it('refuses credentials in another scheme than Bearer', async () => {
    // Prepare
    const token = await sign(claims());

    // Act
    const basic = await refusal({ authorization: `Basic ${btoa('turning-point:secret')}` });
    const bare = await refusal({ authorization: token });

    // Assess
    expect(basic).toBe('The Authorization header must use the Bearer scheme.');
    expect(bare).toBe('The Authorization header must use the Bearer scheme.');
  });

  it('refuses a bearer value that is not a single token', async () => {
    // Prepare
    const token = await sign(claims());

    // Act
    const two = await refusal({ authorization: `Bearer ${token}, Bearer ${token}` });
    const garbage = await refusal({ authorization: 'Bearer not-a-jwt' });

    // Assess
    expect(two).toBe('Malformed bearer token.');
    expect(garbage).toBe('Malformed bearer token.');
  });

  it('refuses an expired token, allowing 30 seconds of clock skew', async () => {
    // Prepare
    const expired = await sign(claims({ exp: nowSeconds() - 60 }));
    const justExpired = await sign(claims({ exp: nowSeconds() - 5 }));

    // Act
    const message = await refusal(bearer(expired));
    const withinSkew = await authenticator.authenticate(bearer(justExpired));

    // Assess
    expect(message).toBe('Token expired.');
    expect(withinSkew.kind).toBe('provider');
  });

  it('refuses a token that is not valid yet', async () => {
    // Prepare
    const token = await sign(claims({ nbf: nowSeconds() + 3600 }));

    // Act
    const message = await refusal(bearer(token));

    // Assess
    expect(message).toBe('Token not yet valid.');
  });

  it('refuses a token from another issuer, or without one', async () => {
    // Prepare
    const otherIssuer = await sign(claims({ iss: 'https://login.elsewhere.example' }));
    const noIssuer = await sign(claims({ iss: undefined }));

    // Act
    const other = await refusal(bearer(otherIssuer));
    const none = await refusal(bearer(noIssuer));

    // Assess
    expect(other).toBe('Wrong token issuer.');
    expect(none).toBe('Token has no iss claim.');
  });

  it('refuses a token meant for another audience', async () => {
    // Prepare
    const token = await sign(claims({ aud: 'another-service' }));

    // Act
    const message = await refusal(bearer(token));

    // Assess
    expect(message).toBe('Wrong token audience.');
  });

  it('refuses a token without an expiry or a subject', async () => {
    // Prepare
    const noExpiry = await sign(claims({ exp: undefined }));
    const noSubject = await sign(claims({ sub: undefined }));
    const emptySubject = await sign(claims({ sub: '' }));

    // Act
    const messages = await Promise.all(
      [noExpiry, noSubject, emptySubject].map(bearer).map(refusal),
    );

    // Assess
    expect(messages).toEqual([
      'Token has no exp claim.',
      'Token has no sub claim.',
      'Token sub claim is not valid.',
    ]);
  });

  it('refuses a token signed by another key, whether it claims a published kid or not', async () => {
    // Prepare
    const intruder = await signingKey('ES256');
    const posing = await sign(claims(), { ...intruder, kid: es256.kid });
    const unknown = await sign(claims(), intruder);

    // Act
    const posingMessage = await refusal(bearer(posing));
    const unknownMessage = await refusal(bearer(unknown));

    // Assess
    expect(posingMessage).toBe('Bad token signature.');
    expect(unknownMessage).toBe(
      'Bad token signature: signed by a key the issuer does not publish.',
    );
  });

  it('refuses a tampered payload', async () => {
    // Prepare
    const [header, , signature] = (await sign(claims())).split('.');
    const payload = base64url.encode(JSON.stringify(claims({ provider: 'st-giles-sos' })));

    // Act
    const message = await refusal(bearer(`${header}.${payload}.${signature}`));

    // Assess
    expect(message).toBe('Bad token signature.');
  });

  it('refuses unsigned (alg none) and HS256 tokens, even with the public key as the secret', async () => {
    // Prepare
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const unsigned = `${header}.${base64url.encode(JSON.stringify(claims()))}.`;
    const secret = new TextEncoder().encode(JSON.stringify(es256.publicJwk));
    const hs256 = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: es256.kid })
      .sign(secret);

    // Act
    const messages = await Promise.all([unsigned, hs256].map(bearer).map(refusal));

    // Assess
    expect(messages).toEqual([
      'Token algorithm not allowed (ES256 or RS256 only).',
      'Token algorithm not allowed (ES256 or RS256 only).',
    ]);
  });

  it('refuses HS256 by its algorithm alone, even from a key source that would hand out a secret', async () => {
    // Prepare
    const secret = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256');
    const careless = new Authenticator({ keys: async () => secret, issuer, audience });
    const hs256 = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(secret);

    // Act
    const attempt = await careless.authenticate(bearer(hs256)).catch((error: unknown) => error);

    // Assess
    expect(attempt).toBeInstanceOf(UnauthorizedError);
    expect((attempt as UnauthorizedError).message).toBe(
      'Token algorithm not allowed (ES256 or RS256 only).',
    );
  });

  it.each([
    ['no scope', { scope: undefined }, 'Token has no Reachable scope.'],
    ['only scopes of others', { scope: 'openid email' }, 'Token has no Reachable scope.'],
    [
      'two roles',
      { scope: 'reachable/provider reachable/hub-analyst', partnership: 'avon-and-somerset' },
      'Token grants more than one role; one only.',
    ],
    [
      'a role without its claim',
      { provider: undefined },
      'Token provider claim is not a valid id.',
    ],
    ['an ID token', { token_use: 'id' }, 'An ID token is not an access token.'],
    ['no token_use', { token_use: undefined }, 'Token is not an access token (token_use).'],
    ['a refresh token', { token_use: 'refresh' }, 'Token is not an access token (token_use).'],
  ])('refuses a token with %s', async (_case, overrides, expected) => {
    // Prepare
    const token = await sign(claims(overrides));

    // Act
    const message = await refusal(bearer(token));

    // Assess
    expect(message).toBe(expected);
  });

  it('takes the role from a scp list, and an RFC 9068 at+jwt token without token_use', async () => {
    // Prepare
    const token = await new SignJWT(
      claims({ token_use: undefined, scope: undefined, scp: ['openid', 'reachable/provider'] }),
    )
      .setProtectedHeader({ alg: 'ES256', kid: es256.kid, typ: 'at+jwt' })
      .sign(es256.privateKey);

    // Act
    const principal = await authenticator.authenticate(bearer(token));

    // Assess
    expect(principal).toMatchObject({ kind: 'provider', providerId: provider });
  });

  it('accepts a Cognito access token by its client_id when it has no aud, as API Gateway does', async () => {
    // Prepare
    const cognito = new Authenticator({
      keys: createLocalJWKSet(jwks),
      issuer,
      audience: ['web-client', 'machine-client'],
    });
    const byClient = await sign(claims({ aud: undefined, client_id: 'machine-client' }));
    const otherClient = await sign(claims({ aud: undefined, client_id: 'stranger' }));
    const audWins = await sign(claims({ aud: 'stranger', client_id: 'machine-client' }));

    // Act
    const principal = await cognito.authenticate(bearer(byClient));
    const refusals = await Promise.all(
      [otherClient, audWins].map((token) =>
        cognito.authenticate(bearer(token)).catch((error: unknown) => (error as Error).message),
      ),
    );

    // Assess
    expect(principal.kind).toBe('provider');
    expect(refusals).toEqual(['Wrong token audience.', 'Wrong token audience.']);
  });

  it.each([
    ['organisation', 'reachable/referrer', { organisationId: 'musgrove-park-hospital-ae' }],
    ['spoke', 'reachable/spoke-coordinator', { spokeId: 'bristol' }],
    ['partnership', 'reachable/hub-analyst', { kind: 'hub', partnershipId: 'avon-and-somerset' }],
    ['partnership', 'reachable/admin', { kind: 'admin', partnershipId: 'avon-and-somerset' }],
  ])('names whom a %s token with %s acts for', async (claim, scope, expected) => {
    // Prepare
    const id = Object.values(expected).at(-1);
    const token = await sign(claims({ provider: undefined, scope, [claim]: id }));

    // Act
    const principal = await authenticator.authenticate(bearer(token));

    // Assess
    expect(principal).toMatchObject(expected);
  });

  it.each([
    ['provider', 'Turning Point'],
    ['provider', '../st-giles-sos'],
    ['provider', 42],
    ['organisation', 'MUSGROVE'],
    ['organisation', ['musgrove-park-hospital-ae']],
  ])('refuses a %s claim of %j, which is not an id', async (claim, id) => {
    // Prepare
    const scope = claim === 'provider' ? 'reachable/provider' : 'reachable/referrer';
    const token = await sign(claims({ provider: undefined, scope, [claim]: id }));

    // Act
    const message = await refusal(bearer(token));

    // Assess
    expect(message).toBe(`Token ${claim} claim is not a valid id.`);
  });

  it('lets a failure to fetch the keys through as our error, not a 401', async () => {
    // Prepare
    const failing = new Authenticator({
      keys: () => Promise.reject(new Error('JWKS endpoint unreachable')),
      issuer,
      audience,
    });
    const token = await sign(claims());

    // Act
    const attempt = failing.authenticate(bearer(token));

    // Assess
    await expect(attempt).rejects.toThrow('JWKS endpoint unreachable');
    await expect(attempt).rejects.not.toBeInstanceOf(UnauthorizedError);
  });
});

describe('authenticatorFromEnv', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function serveJwks(status = 200): Promise<string> {
    server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/.well-known/jwks.json`;
  }

  it('verifies with the inline JWKS in AUTH_JWKS_JSON', async () => {
    // Prepare
    const fromEnv = authenticatorFromEnv({
      AUTH_JWKS_JSON: JSON.stringify(jwks),
      AUTH_JWKS_URL: 'http://127.0.0.1:9/never-fetched',
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: audience,
    });
    const token = await sign(claims());

    // Act
    const principal = await fromEnv.authenticate(bearer(token));

    // Assess
    expect(principal).toMatchObject({ kind: 'provider', providerId: provider });
  });

  it('verifies with the JWKS fetched from AUTH_JWKS_URL', async () => {
    // Prepare
    const fromEnv = authenticatorFromEnv({
      AUTH_JWKS_URL: await serveJwks(),
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: audience,
    });
    const token = await sign(
      claims({ provider: undefined, organisation, scope: 'reachable/referrer' }),
      rs256,
      'RS256',
    );

    // Act
    const principal = await fromEnv.authenticate(bearer(token));

    // Assess
    expect(principal).toMatchObject({ kind: 'organisation', organisationId: organisation });
  });

  it('fails as our error, not a 401, when the JWKS endpoint answers 500', async () => {
    // Prepare
    const fromEnv = authenticatorFromEnv({
      AUTH_JWKS_URL: await serveJwks(500),
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: audience,
    });
    const token = await sign(claims());

    // Act
    const attempt = fromEnv.authenticate(bearer(token));

    // Assess
    await expect(attempt).rejects.toThrow('Expected 200 OK');
    await expect(attempt).rejects.not.toBeInstanceOf(UnauthorizedError);
  });

  it.each([
    [
      'AUTH_ISSUER',
      { AUTH_JWKS_JSON: '{"keys":[]}', AUTH_AUDIENCE: audience },
      'Missing required environment variable AUTH_ISSUER',
    ],
    [
      'AUTH_AUDIENCE',
      { AUTH_JWKS_JSON: '{"keys":[]}', AUTH_ISSUER: issuer, AUTH_AUDIENCE: '' },
      'Missing required environment variable AUTH_AUDIENCE',
    ],
    [
      'both JWKS settings',
      { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience },
      'Missing required environment variable AUTH_JWKS_URL (or AUTH_JWKS_JSON)',
    ],
    [
      'JSON in AUTH_JWKS_JSON',
      { AUTH_JWKS_JSON: '{keys', AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience },
      'Environment variable AUTH_JWKS_JSON is not valid JSON',
    ],
    [
      'a JWKS in AUTH_JWKS_JSON',
      { AUTH_JWKS_JSON: '{"kty":"EC"}', AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience },
      'Environment variable AUTH_JWKS_JSON is not a JSON Web Key Set',
    ],
    [
      'a URL in AUTH_JWKS_URL',
      { AUTH_JWKS_URL: 'file:///etc/jwks.json', AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience },
      'Environment variable AUTH_JWKS_URL is not an http(s) URL',
    ],
  ])('fails loudly without %s', (_case, env, expected) => {
    // Act
    const build = () => authenticatorFromEnv(env);

    // Assess
    expect(build).toThrow(expected);
  });
});

describe('requireProvider and requireOrganisation', () => {
  const providerPrincipal: Principal = { kind: 'provider', providerId: provider, subject: 'jo' };
  const organisationPrincipal: Principal = {
    kind: 'organisation',
    organisationId: organisation,
    subject: 'nurse',
  };

  it('let the principal named through', () => {
    // Act
    const asProvider = () => requireProvider(providerPrincipal, provider);
    const asOrganisation = () => requireOrganisation(organisationPrincipal, organisation);

    // Assess
    expect(asProvider).not.toThrow();
    expect(asOrganisation).not.toThrow();
  });

  it.each([
    ['another provider', () => requireProvider(providerPrincipal, 'st-giles-sos'), 404],
    [
      'another organisation',
      () => requireOrganisation(organisationPrincipal, 'example-academy-bristol'),
      404,
    ],
    [
      'an organisation on a provider route',
      () => requireProvider(organisationPrincipal, provider),
      403,
    ],
    [
      'a provider on an organisation route',
      () => requireOrganisation(providerPrincipal, provider),
      403,
    ],
  ])('answer %s with %i', (_case, call, status) => {
    // Act
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }

    // Assess: 404 hides whether another tenant's referral exists; 403 names the route's role.
    expect(toProblem(thrown).status).toBe(status);
  });
});

describe('requireHub', () => {
  const hubPrincipal: Principal = { kind: 'hub', partnershipId: 'avon-and-somerset', subject: 'a' };

  it("lets the partnership's hub through and answers 403 to anyone else", () => {
    // Prepare
    const others: Principal[] = [
      { kind: 'provider', providerId: provider, subject: 'jo' },
      { kind: 'organisation', organisationId: organisation, subject: 'nurse' },
      { kind: 'hub', partnershipId: 'northumbria', subject: 'b' },
    ];

    // Act
    const asHub = () => requireHub(hubPrincipal, 'avon-and-somerset');
    const statuses = others.map((principal) => {
      try {
        requireHub(principal, 'avon-and-somerset');
        return 200;
      } catch (error) {
        return toProblem(error).status;
      }
    });

    // Assess
    expect(asHub).not.toThrow();
    expect(statuses).toEqual([403, 403, 403]);
  });
});

describe('authenticateProviderRoute', () => {
  const route = 'GET /v1/providers/{providerId}/referrals/next';
  const event = (providerId: string, headers: Record<string, string> = {}) =>
    apiEvent({
      routeKey: route,
      rawPath: `/v1/providers/${providerId}/referrals/next`,
      pathParameters: { providerId },
      headers,
    });

  it('lets a provider into its own routes', async () => {
    // Prepare
    const token = await sign(claims());

    // Act
    const principal = await authenticateProviderRoute(
      authenticator,
      event(provider, bearer(token)),
    );

    // Assess
    expect(principal).toEqual({ providerId: provider, subject: 'jo.bloggs@turning-point.example' });
  });

  it("answers 404 to a provider on another provider's routes, and 401 without a token", async () => {
    // Prepare
    const token = await sign(claims());

    // Act
    const otherProvider = await authenticateProviderRoute(
      authenticator,
      event('st-giles-sos', bearer(token)),
    ).catch((error: unknown) => error);
    const anonymous = await authenticateProviderRoute(authenticator, event(provider)).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(otherProvider).toBeInstanceOf(NotFoundError);
    expect(anonymous).toBeInstanceOf(UnauthorizedError);
  });
});

describe('401 problem responses', () => {
  it('carry the Bearer challenge; other problems do not', () => {
    // Act
    const unauthorized = problemResponse(toProblem(new UnauthorizedError('Token expired.')));
    const notFound = problemResponse(toProblem(new NotFoundError('No such provider.')));

    // Assess
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.headers).toEqual({
      'content-type': 'application/problem+json',
      'www-authenticate': 'Bearer realm="reachable"',
    });
    expect(JSON.parse(String(unauthorized.body))).toMatchObject({
      status: 401,
      detail: 'Token expired.',
    });
    expect(notFound.headers).toEqual({ 'content-type': 'application/problem+json' });
  });
});
