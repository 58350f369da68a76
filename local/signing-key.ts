import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { roles, type Role } from '#shared/http/auth.ts';
import { createOnce, replaceAtomically } from './key-files.ts';
import { projectRoot } from './template.ts';

/** Where the local runtime keeps its signing key, beside its synthesized template. */
export const defaultKeyDirectory = path.join(projectRoot, '.local', 'auth');
export const localIssuer = 'reachable-local';
export const localAudience = 'reachable';

const privateKeyFile = 'private-key.json';
const jwksFile = 'jwks.json';

/** The local runtime's ES256 signing key, and the JWKS that verifies what it signs. */
export interface LocalSigningKey {
  kid: string;
  privateKey: KeyObject;
  jwks: JSONWebKeySet;
}

/**
 * The local runtime's own signing key: created once and kept in `<dir>/private-key.json`
 * (mode 0600) with its public JWKS in `<dir>/jwks.json`, then reused, so `npm start` and
 * `npm run token` agree across processes; read from disk on every call. Two processes creating it
 * at once end up with the same key.
 */
export function localSigningKey(dir: string = defaultKeyDirectory): LocalSigningKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = path.join(dir, privateKeyFile);
  if (!existsSync(keyPath)) createKeyFile(keyPath);
  chmodSync(keyPath, 0o600);
  const privateJwk = JSON.parse(readFileSync(keyPath, 'utf8')) as JWK;
  const key = keyFrom(privateJwk, keyPath);
  writeIfChanged(path.join(dir, jwksFile), `${JSON.stringify(key.jwks, null, 2)}\n`);
  return key;
}

/** The environment a function needs to verify local tokens (see `authenticatorFromEnv`). */
export function localAuthEnvironment(dir: string = defaultKeyDirectory): {
  AUTH_JWKS_JSON: string;
  AUTH_ISSUER: 'reachable-local';
  AUTH_AUDIENCE: 'reachable';
} {
  return {
    AUTH_JWKS_JSON: JSON.stringify(localSigningKey(dir).jwks),
    AUTH_ISSUER: localIssuer,
    AUTH_AUDIENCE: localAudience,
  };
}

/** Whom a local token is for: one role, and the provider, organisation, spoke or partnership. */
export type LocalTokenFor =
  | { provider: string }
  | { organisation: string }
  | { spoke: string }
  | { hub: string }
  | { admin: string };

/**
 * An access token for one role, signed with the local key (ES256, `kid` set), with the claims a
 * Cognito access token carries after Reachable's pre-token trigger: `iss`, `aud`, `client_id`,
 * `sub`, `iat`, `exp`, `token_use: access`, the role's scope and its tenant claim. Expires in 8
 * hours unless told.
 * @example await signLocalToken({ provider: 'turning-point-admit' })
 */
export async function signLocalToken(
  tokenFor: LocalTokenFor,
  options: { subject?: string; expiresIn?: string; dir?: string } = {},
): Promise<string> {
  const { role, id } = roleOf(tokenFor);
  const { kid, privateKey } = localSigningKey(options.dir);
  return new SignJWT({
    token_use: 'access',
    client_id: localAudience,
    scope: roles[role].scope,
    [roles[role].claim]: id,
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuer(localIssuer)
    .setAudience(localAudience)
    .setSubject(options.subject ?? `local-${role}-${id}`)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(privateKey);
}

function roleOf(tokenFor: LocalTokenFor): { role: Role; id: string } {
  const present = (Object.keys(roles) as Role[]).filter((role) => role in tokenFor);
  const [role] = present;
  if (present.length !== 1 || !role) {
    throw new Error('A local token is for one role: provider, organisation, spoke, hub or admin');
  }
  return { role, id: (tokenFor as Record<string, string>)[role] ?? '' };
}

/** Writes a new private key, unless another process has just written one: theirs is kept. */
function createKeyFile(keyPath: string): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  createOnce(keyPath, `${JSON.stringify(privateKey.export({ format: 'jwk' }), null, 2)}\n`);
}

function keyFrom(privateJwk: JWK, keyPath: string): LocalSigningKey {
  const { kty, crv, x, y, d } = privateJwk;
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y || !d) {
    throw new Error(`${keyPath} is not a P-256 private key; delete it to make a new one`);
  }
  const kid = thumbprint({ crv, kty, x, y });
  const privateKey = createPrivateKey({ key: { kty, crv, x, y, d }, format: 'jwk' });
  return {
    kid,
    privateKey,
    jwks: { keys: [{ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' }] },
  };
}

/** RFC 7638 JWK thumbprint (SHA-256) of an EC public key; members in lexical order. */
function thumbprint(members: { crv: string; kty: string; x: string; y: string }): string {
  const canonical = JSON.stringify({
    crv: members.crv,
    kty: members.kty,
    x: members.x,
    y: members.y,
  });
  return createHash('sha256').update(canonical).digest('base64url');
}

function writeIfChanged(file: string, content: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return;
  replaceAtomically(file, content);
}
