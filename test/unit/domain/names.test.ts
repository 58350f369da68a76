import { describe, expect, it } from 'vitest';
import { namesOf } from '#shared/domain/names.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';

describe('namesOf', () => {
  it('names exactly the ids asked for, by kind, and leaves out an id the config does not know', () => {
    // Act
    const names = namesOf(avonAndSomerset, {
      spokes: ['bristol', 'bristol', 'atlantis'],
      pathways: ['weapons-in-schools'],
      providers: ['project-28'],
      organisations: ['example-academy-bristol', 'bristol'],
    });

    // Assess
    expect(names).toEqual({
      spokes: { bristol: 'Bristol' },
      pathways: { 'weapons-in-schools': 'Weapons in schools' },
      providers: { 'project-28': 'Project 28' },
      organisations: { 'example-academy-bristol': 'Example Academy, Bristol' },
    });
  });
});
