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

/** Every string of four characters or more in a value. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 4 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A code from a list (`alcohol`, `county-lines`): not free text, and words of the pathways. */
const isCode = (value: string) => /^[a-z][a-z-]*$/.test(value);

/**
 * What an example says about people (DOMAIN.md, "Data about children"): the child, the
 * referrer but for their organisation, the summary, and the free text and dates of the details.
 */
export function personalValuesOfExample(example: Record<string, unknown>): string[] {
  const { organisationId: _organisation, ...referrer } = (example.referrer ?? {}) as Record<
    string,
    unknown
  >;
  return [
    ...stringsIn([example.subject, referrer, example.summary]),
    ...stringsIn(example.details).filter((value) => !isCode(value)),
  ];
}
