import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The example referrals the tests use: the repo's own copy of the intake's contract examples,
 * so the tests need nothing outside the repo. `test/unit/examples-copy.test.ts` checks that it
 * agrees with the published contract, {@link publishedExamplesDir}.
 */
export const examplesDir = path.resolve(import.meta.dirname, '..', 'data', 'referrals');

/** The published contract, in the shared folder beside the project (absent in a lone clone). */
export const publishedExamplesDir = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'shared',
  'examples',
  'referrals',
);

/** One example referral body from the repo's copy of the examples, parsed. */
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

/**
 * How two folders of examples differ, file by file (missing on one side, or not the same bytes);
 * empty when they agree.
 */
export function exampleCopyDifferences(copyDir: string, publishedDir: string): string[] {
  const copy = new Set(readdirSync(copyDir));
  const published = new Set(readdirSync(publishedDir));
  const differences: string[] = [];
  for (const name of [...new Set([...copy, ...published])].sort()) {
    if (!copy.has(name)) differences.push(`${name}: published but not in the copy`);
    else if (!published.has(name)) differences.push(`${name}: in the copy but not published`);
    else if (
      !readFileSync(path.join(copyDir, name)).equals(readFileSync(path.join(publishedDir, name)))
    )
      differences.push(`${name}: differs from the published file`);
  }
  return differences;
}
