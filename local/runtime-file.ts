import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { replaceAtomically } from './key-files.ts';
import type { Runtime } from './runtime.ts';
import { projectRoot } from './template.ts';

/** Where `npm start` says how to reach it, for local tools run beside it (`npm run sar`). */
export const defaultRuntimeFile = path.join(projectRoot, '.local', 'runtime.json');

const runtimeFileSchema = z.object({
  pid: z.int(),
  url: z.string(),
  partnershipId: z.string(),
  tableName: z.string(),
  endpoints: z.object({ dynamodb: z.string() }),
});
export type RuntimeFile = z.infer<typeof runtimeFileSchema>;

/** Records a running runtime (mode 0600): its process, URL, partnership, table and DynamoDB. */
export function writeRuntimeFile(runtime: Runtime, file: string = defaultRuntimeFile): void {
  const [tableName] = runtime.tableNames;
  if (!tableName || !runtime.partnershipId)
    throw new Error('The runtime runs no partnership table');
  const content: RuntimeFile = {
    pid: process.pid,
    url: runtime.url,
    partnershipId: runtime.partnershipId,
    tableName,
    endpoints: { dynamodb: runtime.endpoints.dynamodb },
  };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  replaceAtomically(file, `${JSON.stringify(content, null, 2)}\n`, 0o600);
}

/** Forgets the runtime this process recorded (another's is left alone). */
export function removeRuntimeFile(file: string = defaultRuntimeFile): void {
  const recorded = readRuntimeFile(file);
  if (recorded?.pid === process.pid) rmSync(file, { force: true });
}

/** The runtime recorded in `file`, if its process is still running; undefined otherwise. */
export function readRuntimeFile(file: string = defaultRuntimeFile): RuntimeFile | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = runtimeFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success || !isRunning(parsed.data.pid)) return undefined;
  return parsed.data;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
