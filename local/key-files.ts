import { linkSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * The local runtime's key and secret files, written so that a reader never sees half a file.
 * Each is staged beside its final path (`<file>.<pid>.tmp`) and then moved into place.
 */

/**
 * Writes `content` to `file` unless it exists: staged, then linked in, so of two processes
 * creating it at once whoever links first wins and both then read the same file. Mode 0600.
 */
export function createOnce(file: string, content: string): void {
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, content, { mode: 0o600 });
  try {
    linkSync(staging, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(staging, { force: true });
  }
}

/** Replaces `file` with `content` in one rename (mode as given, else the default). */
export function replaceAtomically(file: string, content: string, mode?: number): void {
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, content, mode === undefined ? {} : { mode });
  renameSync(staging, file);
}
