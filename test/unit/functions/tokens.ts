import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { localAuthEnvironment, signLocalToken, type LocalTokenFor } from '#local/signing-key.ts';

/** Who a test token is for: one role, and whom it acts for. */
export type TokenClaims = LocalTokenFor;

/**
 * A signing key of the test's own, in a temporary directory, with the environment a handler
 * needs to verify what it signs. Call before importing the handler; `remove()` when done.
 */
export function testSigningKey() {
  const dir = mkdtempSync(path.join(tmpdir(), 'reachable-test-auth-'));
  return {
    /** Stubs AUTH_JWKS_JSON, AUTH_ISSUER and AUTH_AUDIENCE for the handler under test. */
    stubEnvironment: () => {
      for (const [name, value] of Object.entries(localAuthEnvironment(dir))) {
        vi.stubEnv(name, value);
      }
      vi.stubEnv('AUTH_JWKS_URL', undefined);
    },
    /** An `Authorization` header with a token signed now (as the test clock says). */
    bearer: async (claims: TokenClaims, options: { expiresIn?: string } = {}) => ({
      authorization: `Bearer ${await signLocalToken(claims, { ...options, dir })}`,
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
