import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localCsrfKey, localFormsEnvironment } from '#local/forms-csrf-key.ts';
import { csrfKeyFromEnv } from '#shared/adapters/forms-csrf-key.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'reachable-csrf-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the referral forms’ CSRF key', () => {
  it('is made once locally, kept private, and reused', () => {
    // Prepare
    const file = path.join(dir, 'auth', 'forms-csrf-key');

    // Act
    const first = localCsrfKey(file);
    const second = localFormsEnvironment(file).FORMS_CSRF_KEY;

    // Assess
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('comes from FORMS_CSRF_KEY when set, before any secret', async () => {
    // Act
    const source = csrfKeyFromEnv({ FORMS_CSRF_KEY: 'local-key', FORMS_CSRF_KEY_ARN: 'arn:x' });

    // Assess
    await expect(source()).resolves.toBe('local-key');
  });

  it('fails loudly, naming the variables, when neither is set', () => {
    // Act
    const reading = () => csrfKeyFromEnv({});

    // Assess
    expect(reading).toThrow(/FORMS_CSRF_KEY_ARN \(or FORMS_CSRF_KEY\)/);
  });
});
