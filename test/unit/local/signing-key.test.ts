import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localAuthEnvironment, localSigningKey, signLocalToken } from '#local/signing-key.ts';
import { projectRoot } from '#local/template.ts';
import { authenticatorFromEnv } from '#shared/http/auth.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'reachable-auth-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `tsx local/token.ts <args>` from the project root, as `npm run -s token` does. */
function runTokenCommand(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(projectRoot, 'node_modules/.bin/tsx'),
      ['local/token.ts', ...args],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('localSigningKey', () => {
  it('keeps its private key readable by the owner only, beside the public JWKS', () => {
    // Act
    const key = localSigningKey(dir);

    // Assess
    const privateMode = statSync(path.join(dir, 'private-key.json')).mode & 0o777;
    const jwks = JSON.parse(readFileSync(path.join(dir, 'jwks.json'), 'utf8')) as unknown;
    expect(privateMode).toBe(0o600);
    expect(jwks).toEqual(key.jwks);
    expect(key.jwks.keys).toEqual([
      expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.kid }),
    ]);
    expect(key.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('reuses the key it persisted rather than making a new one', async () => {
    // Prepare
    const first = localSigningKey(dir);
    const token = await signLocalToken({ provider: 'turning-point-admit' }, { dir });

    // Act
    const second = localSigningKey(dir);
    const verified = await authenticatorFromEnv(localAuthEnvironment(dir)).authenticate({
      authorization: `Bearer ${token}`,
    });

    // Assess
    expect(second.kid).toBe(first.kid);
    expect(second.jwks).toEqual(first.jwks);
    expect(verified).toMatchObject({ providerId: 'turning-point-admit' });
  });

  it('adopts a private key another process already wrote', () => {
    // Prepare
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const written = privateKey.export({ format: 'jwk' });
    writeFileSync(path.join(dir, 'private-key.json'), JSON.stringify(written), { mode: 0o600 });

    // Act
    const key = localSigningKey(dir);

    // Assess
    expect(key.jwks.keys[0]).toMatchObject({ x: written.x, y: written.y });
  });

  it('refuses a key file that is not a P-256 private key, saying how to recover', () => {
    // Prepare
    writeFileSync(
      path.join(dir, 'private-key.json'),
      JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' }),
    );

    // Act
    const load = () => localSigningKey(dir);

    // Assess
    expect(load).toThrow('is not a P-256 private key; delete it to make a new one');
  });
});

describe('signLocalToken', () => {
  it('signs a provider token that the local environment verifies, for 8 hours by default', async () => {
    // Prepare
    const environment = localAuthEnvironment(dir);

    // Act
    const token = await signLocalToken({ provider: 'st-giles-sos' }, { dir });

    // Assess
    const principal = await authenticatorFromEnv(environment).authenticate({
      authorization: `Bearer ${token}`,
    });
    const { iat = 0, exp = 0, iss, aud } = decodeJwt(token);
    expect(environment).toMatchObject({
      AUTH_ISSUER: 'reachable-local',
      AUTH_AUDIENCE: 'reachable',
    });
    expect(principal).toEqual({
      kind: 'provider',
      providerId: 'st-giles-sos',
      subject: 'local-provider-st-giles-sos',
    });
    expect({ iss, aud, lifetime: exp - iat }).toEqual({
      iss: 'reachable-local',
      aud: 'reachable',
      lifetime: 8 * 60 * 60,
    });
    expect(decodeProtectedHeader(token)).toMatchObject({
      alg: 'ES256',
      kid: localSigningKey(dir).kid,
    });
  });

  it('signs an organisation token with the subject and lifetime asked for', async () => {
    // Act
    const token = await signLocalToken(
      { organisation: 'musgrove-park-hospital-ae' },
      { subject: 'nurse-on-shift', expiresIn: '30m', dir },
    );

    // Assess
    const principal = await authenticatorFromEnv(localAuthEnvironment(dir)).authenticate({
      authorization: `Bearer ${token}`,
    });
    const { iat = 0, exp = 0 } = decodeJwt(token);
    expect(principal).toEqual({
      kind: 'organisation',
      organisationId: 'musgrove-park-hospital-ae',
      subject: 'nurse-on-shift',
    });
    expect(exp - iat).toBe(30 * 60);
  });

  it('refuses claims naming both a provider and an organisation', async () => {
    // Prepare
    const both = { provider: 'st-giles-sos', organisation: 'musgrove-park-hospital-ae' };

    // Act
    const signing = signLocalToken(both, { dir });

    // Assess
    await expect(signing).rejects.toThrow('one role: provider, organisation, spoke, hub or admin');
  });
});

describe('npm run token', () => {
  it("prints only a token, which verifies with the local runtime's key", async () => {
    // Act
    const { code, stdout } = await runTokenCommand(['--provider', 'turning-point-admit']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const principal = await authenticatorFromEnv(localAuthEnvironment()).authenticate({
      authorization: `Bearer ${stdout.trim()}`,
    });
    expect(principal).toMatchObject({ kind: 'provider', providerId: 'turning-point-admit' });
  });

  it('refuses an unknown provider with exit 2, listing the known ones on stderr', async () => {
    // Act
    const { code, stdout, stderr } = await runTokenCommand(['--provider', 'turning-pointe']);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Unknown provider "turning-pointe"');
    expect(stderr).toContain('turning-point-admit');
    expect(stderr).toContain('st-giles-sos');
  });

  it('refuses to guess when named neither a provider nor an organisation', async () => {
    // Act
    const { code, stdout, stderr } = await runTokenCommand([]);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'Name one provider, organisation or spoke, or --hub, --admin or --webhook-secret.',
    );
  });
});
