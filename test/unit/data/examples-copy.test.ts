import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  exampleCopyDifferences,
  examplesDir,
  publishedExamplesDir,
} from '#test/helpers/examples.ts';

describe("the repo's copy of the example referrals", () => {
  it('agrees file by file with the published contract in ../shared/examples/referrals', (context) => {
    // Prepare
    context.skip(
      !existsSync(publishedExamplesDir),
      `${publishedExamplesDir} is absent (a lone clone): nothing to compare the copy with. CI has it.`,
    );

    // Act
    const differences = exampleCopyDifferences(examplesDir, publishedExamplesDir);

    // Assess: refresh with `cp ../shared/examples/referrals/* test/data/referrals/`.
    expect(differences).toEqual([]);
  });
});

describe('exampleCopyDifferences', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  /** A temporary folder holding these files. */
  function folderOf(files: Record<string, string>): string {
    const folder = mkdtempSync(path.join(tmpdir(), 'reachable-examples-'));
    folders.push(folder);
    mkdirSync(folder, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text);
    return folder;
  }

  it('names every file missing from either side or not the same bytes, and nothing else', () => {
    // Prepare
    const copy = folderOf({ 'a.json': '{}', 'b.json': '{"x":1}', 'only-copy.json': '{}' });
    const published = folderOf({
      'a.json': '{}',
      'b.json': '{ "x": 1 }',
      'only-published.json': '{}',
    });

    // Act
    const differences = exampleCopyDifferences(copy, published);

    // Assess
    expect(differences).toEqual([
      'b.json: differs from the published file',
      'only-copy.json: in the copy but not published',
      'only-published.json: published but not in the copy',
    ]);
    expect(exampleCopyDifferences(copy, copy)).toEqual([]);
  });
});
