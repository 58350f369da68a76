import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localPersonalDataEnvironment } from '#local/personal-data-keys.ts';
import { readRuntimeFile, removeRuntimeFile, writeRuntimeFile } from '#local/runtime-file.ts';
import type { Runtime } from '#local/runtime.ts';
import { personalDataCipherFromEnv } from '#shared/adapters/personal-data-cipher.ts';
import { subjectIndexerFromEnv } from '#shared/adapters/subject-index.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'reachable-personal-keys-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const files = () => ({
  personalDataKey: path.join(dir, 'auth', 'personal-data-key'),
  subjectIndexKey: path.join(dir, 'auth', 'subject-index-key'),
});

describe('the local personal data keys', () => {
  it('are made once, two different 256-bit keys, kept private, and reused', () => {
    // Prepare
    const where = files();

    // Act
    const first = localPersonalDataEnvironment(where);
    const second = localPersonalDataEnvironment(where);

    // Assess
    expect(second).toEqual(first);
    expect(first.PERSONAL_DATA_LOCAL_KEY).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.SUBJECT_INDEX_LOCAL_KEY).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.PERSONAL_DATA_LOCAL_KEY).not.toBe(first.SUBJECT_INDEX_LOCAL_KEY);
    expect(statSync(where.personalDataKey).mode & 0o777).toBe(0o600);
    expect(statSync(where.subjectIndexKey).mode & 0o777).toBe(0o600);
  });

  it('are what the functions seal, open and index with, in a later process too', async () => {
    // Prepare
    const env = { PARTNERSHIP: 'avon-and-somerset', ...localPersonalDataEnvironment(files()) };
    const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const subject = { givenName: 'Jordan', familyName: 'Example', dateOfBirth: '2010-03-14' };

    // Act
    const sealed = await personalDataCipherFromEnv(env).seal('personal', referralId, { subject });
    const again = { PARTNERSHIP: 'avon-and-somerset', ...localPersonalDataEnvironment(files()) };
    const opened = await personalDataCipherFromEnv(again).open('personal', referralId, sealed);

    // Assess
    expect(opened).toEqual({ subject });
    expect(await subjectIndexerFromEnv(again)(subject)).toBe(
      await subjectIndexerFromEnv(env)(subject),
    );
  });
});

describe('the runtime file (how npm run sar finds npm start)', () => {
  const runtime = {
    url: 'http://127.0.0.1:3000',
    partnershipId: 'avon-and-somerset',
    tableNames: ['ReferralsTable'],
    endpoints: { dynamodb: 'http://127.0.0.1:8000', sqs: 'x', eventbridge: 'y' },
  } as unknown as Runtime;

  it('records this process, its table and DynamoDB, privately, and forgets them again', () => {
    // Prepare
    const file = path.join(dir, 'runtime.json');

    // Act
    writeRuntimeFile(runtime, file);
    const read = readRuntimeFile(file);
    const mode = statSync(file).mode & 0o777;
    removeRuntimeFile(file);

    // Assess
    expect(read).toEqual({
      pid: process.pid,
      url: runtime.url,
      partnershipId: 'avon-and-somerset',
      tableName: 'ReferralsTable',
      endpoints: { dynamodb: 'http://127.0.0.1:8000' },
    });
    expect(mode).toBe(0o600);
    expect(readRuntimeFile(file)).toBeUndefined();
  });

  it('ignores a record left by a runtime that is no longer running', () => {
    // Prepare
    const file = path.join(dir, 'runtime.json');
    const stale = {
      pid: 2 ** 22 + 12345,
      url: runtime.url,
      partnershipId: 'avon-and-somerset',
      tableName: 'ReferralsTable',
      endpoints: { dynamodb: 'http://127.0.0.1:8000' },
    };
    writeFileSync(file, JSON.stringify(stale));

    // Act
    const read = readRuntimeFile(file);

    // Assess
    expect(read).toBeUndefined();
  });
});
