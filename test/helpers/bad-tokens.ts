import { SignJWT, base64url, generateKeyPair, type JWTPayload } from 'jose';
import { localAudience, localIssuer, localSigningKey } from '#local/signing-key.ts';
import { roles, type Role } from '#shared/http/auth.ts';

/**
 * The ways a bearer token can be wrong, each with the reason the API gives for refusing it (the
 * `detail` of its 401 problem). Each token is otherwise a good one for the role it is made for.
 */
export const badTokenReasons = {
  'no token at all': 'Missing bearer token.',
  expired: 'Token expired.',
  'a wrong audience': 'Wrong token audience.',
  'a wrong issuer': 'Wrong token issuer.',
  'an ID token used as an access token': 'An ID token is not an access token.',
  'no Reachable scope': 'Token has no Reachable scope.',
  'alg none (unsigned)': 'Token algorithm not allowed (ES256 or RS256 only).',
  'a tampered signature': 'Bad token signature.',
  'an unknown signing key': 'Bad token signature: signed by a key the issuer does not publish.',
} as const;
export type BadToken = keyof typeof badTokenReasons;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The claims `signLocalToken` gives a role's access token, with overrides (undefined removes). */
function claimsFor(role: Role, tenant: string, overrides: JWTPayload = {}): JWTPayload {
  const all: JWTPayload = {
    iss: localIssuer,
    aud: localAudience,
    client_id: localAudience,
    sub: `local-${role}-${tenant}`,
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    token_use: 'access',
    scope: roles[role].scope,
    [roles[role].claim]: tenant,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

/** Signs claims with the local runtime's own key, as `npm run token` does. */
function signLocally(payload: JWTPayload): Promise<string> {
  const { kid, privateKey } = localSigningKey();
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
}

/** A token for the role and tenant given, wrong in exactly one way; undefined for no token. */
export async function badToken(
  kind: BadToken,
  role: Role,
  tenant: string,
): Promise<string | undefined> {
  switch (kind) {
    case 'no token at all':
      return undefined;
    case 'expired':
      return signLocally(
        claimsFor(role, tenant, { iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }),
      );
    case 'a wrong audience':
      // `aud` is what counts when present, as at API Gateway: the right client_id does not help.
      return signLocally(claimsFor(role, tenant, { aud: 'another-service' }));
    case 'a wrong issuer':
      return signLocally(claimsFor(role, tenant, { iss: 'https://login.elsewhere.example' }));
    case 'an ID token used as an access token':
      return signLocally(claimsFor(role, tenant, { token_use: 'id' }));
    case 'no Reachable scope':
      return signLocally(claimsFor(role, tenant, { scope: 'openid email' }));
    case 'alg none (unsigned)': {
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      return `${header}.${base64url.encode(JSON.stringify(claimsFor(role, tenant)))}.`;
    }
    case 'a tampered signature': {
      const [header, payload, signature = ''] = (await signLocally(claimsFor(role, tenant))).split(
        '.',
      );
      const bytes = base64url.decode(signature);
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      return `${header}.${payload}.${base64url.encode(bytes)}`;
    }
    case 'an unknown signing key': {
      const { privateKey } = await generateKeyPair('ES256');
      return new SignJWT(claimsFor(role, tenant))
        .setProtectedHeader({ alg: 'ES256', kid: 'not-a-key-the-issuer-publishes' })
        .sign(privateKey);
    }
  }
}
