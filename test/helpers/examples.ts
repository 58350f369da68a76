import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The shared folder beside the project, where the intake's contract examples live. */
export const examplesDir = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'shared',
  'examples',
  'referrals',
);

/** One example referral body from ../shared/examples/referrals, parsed. */
export function exampleReferral(fileName: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(examplesDir, fileName), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Every example file name but the expectations. */
export function exampleFileNames(): string[] {
  return readdirSync(examplesDir).filter(
    (name) => name.endsWith('.json') && name !== 'expectations.json',
  );
}
