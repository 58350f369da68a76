import { loadLocalTemplate } from '#local/template.ts';

/** Synthesizes the local template once, before test files start runtimes side by side. */
export function setup(): void {
  loadLocalTemplate();
}
