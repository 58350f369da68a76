import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  EnvelopeCipher,
  localKeyBytes,
  localKeyring,
} from '#shared/adapters/personal-data-cipher.ts';
import { AuditLog } from '#shared/table/audit-log.ts';
import { ReferralQueries } from '#shared/table/referral-queries.ts';
import { defaultAuditRetentionDays } from '#shared/domain/audit.ts';
import { subjectIndexer } from '#shared/adapters/subject-index.ts';
import { now } from '#shared/clock.ts';
import { ValidationError } from '#shared/errors.ts';
import { subjectAccessExport, type SubjectAccessExport } from '#shared/services/subject-access.ts';
import { localPersonalDataKey, localSubjectIndexKey } from './personal-data-keys.ts';
import { defaultRuntimeFile, readRuntimeFile, type RuntimeFile } from './runtime-file.ts';
import { localRegion } from './runtime.ts';

const usage = `Usage:
  npm run -s sar -- --given-name <name> --family-name <name> --dob YYYY-MM-DD
        [--out <file>]     write the export there (mode 0600) instead of printing it

Prints, as JSON, everything the running local runtime (npm start) holds about that young person:
each referral with its personal data opened, its transitions and routing. Names are matched
without case, accents, spaces or punctuation, so check each referral is theirs.`;

export interface SarOptions {
  /** @default .local/runtime.json, written by npm start */
  runtimeFile?: string;
  print?: (text: string) => void;
  printError?: (text: string) => void;
}

/** A subject access export from the local runtime's table, with the local keys. */
export async function localSubjectAccessExport(
  runtime: RuntimeFile,
  request: unknown,
): Promise<SubjectAccessExport> {
  const client = new DynamoDBClient({
    endpoint: runtime.endpoints.dynamodb,
    region: localRegion,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    return await subjectAccessExport(request, {
      store: new ReferralQueries({
        tableName: runtime.tableName,
        client: DynamoDBDocumentClient.from(client),
      }),
      cipher: new EnvelopeCipher({
        keyring: localKeyring(localKeyBytes(localPersonalDataKey(), 'the local personal data key')),
        partnership: runtime.partnershipId,
      }),
      subjectIndex: subjectIndexer(async () => localSubjectIndexKey()),
      // An operator answering a request at this machine, as the partnership's administrator.
      audit: {
        log: new AuditLog({
          tableName: runtime.tableName,
          client: DynamoDBDocumentClient.from(client),
        }),
        actor: { role: 'admin', id: runtime.partnershipId, subject: 'npm-run-sar' },
        purpose: 'subject-access-request',
        correlationId: randomUUID(),
        retentionDays: defaultAuditRetentionDays,
      },
      now,
    });
  } finally {
    client.destroy();
  }
}

/** `npm run sar`: 0 with the export printed (or written), 2 on bad use or no runtime. */
export async function runSubjectAccessRequest(
  args: string[],
  {
    runtimeFile = defaultRuntimeFile,
    print = console.log,
    printError = console.error,
  }: SarOptions = {},
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'given-name': { type: 'string' },
        'family-name': { type: 'string' },
        dob: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    printError(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    print(usage);
    return 0;
  }
  const runtime = readRuntimeFile(runtimeFile);
  if (!runtime) {
    printError('No local runtime is running: start it with npm start, then ask again.');
    return 2;
  }
  let found: SubjectAccessExport;
  try {
    found = await localSubjectAccessExport(runtime, {
      givenName: values['given-name'],
      familyName: values['family-name'],
      dateOfBirth: values.dob,
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const options: Record<string, string> = {
      '/givenName': '--given-name',
      '/familyName': '--family-name',
      '/dateOfBirth': '--dob',
    };
    const problems = error.problems.map(
      (p) => `  ${options[p.pointer] ?? p.pointer}: ${p.detail.replace(/^is /, '')}`,
    );
    printError(`${problems.join('\n')}\n\n${usage}`);
    return 2;
  }
  const text = JSON.stringify(found, null, 2);
  if (values.out) {
    // It holds personal data: readable by its owner only.
    writeFileSync(values.out, `${text}\n`, { mode: 0o600 });
    printError(`${found.referrals.length} referral(s) written to ${values.out}`);
  } else {
    print(text);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runSubjectAccessRequest(process.argv.slice(2));
}
