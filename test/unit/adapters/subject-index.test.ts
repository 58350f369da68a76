import { describe, expect, it } from 'vitest';
import { subjectIndexer, subjectIndexerFromEnv } from '#shared/adapters/subject-index.ts';
import { normalisedName } from '#shared/domain/subject.ts';

const key = 'k'.repeat(40);
const jordan = { givenName: 'Jordan', familyName: 'Example', dateOfBirth: '2010-03-27' };

describe('normalisedName', () => {
  it.each([
    ['Zoë', 'zoe'],
    ["O'Brien-Smith", 'obriensmith'],
    ['  mary   ANN ', 'maryann'],
    ['O’Brien', 'obrien'],
    ['Ａｌｉ', 'ali'],
  ])('spells %j as %j', (name, spelling) => {
    // Prepare
    // Act
    const normalised = normalisedName(name);

    // Assess
    expect(normalised).toBe(spelling);
  });
});

describe('the blind index', () => {
  it('is the same for the same young person however the names are written', async () => {
    // Prepare
    const index = subjectIndexer(async () => key);

    // Act
    const written = await index(jordan);
    const asked = await index({
      givenName: ' JORDAN',
      familyName: 'example ',
      dateOfBirth: '2010-03-27',
    });

    // Assess
    expect(asked).toBe(written);
  });

  it('differs for another date of birth, another name, names swapped, or another key', async () => {
    // Prepare
    const index = subjectIndexer(async () => key);
    const written = await index(jordan);

    // Act
    const others = await Promise.all([
      index({ ...jordan, dateOfBirth: '2010-03-28' }),
      index({ ...jordan, givenName: 'Jordon' }),
      index({ givenName: 'Example', familyName: 'Jordan', dateOfBirth: '2010-03-27' }),
      subjectIndexer(async () => 'x'.repeat(40))(jordan),
    ]);

    // Assess
    for (const other of others) expect(other).not.toBe(written);
  });

  it('is a keyed hash holding nothing of the names or date', async () => {
    // Prepare
    const index = subjectIndexer(async () => key);

    // Act
    const written = await index(jordan);

    // Assess
    expect(written).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const part of ['jordan', 'example', '2010'])
      expect(written.toLowerCase()).not.toContain(part);
  });

  it('refuses a key shorter than 32 characters', async () => {
    // Prepare
    const index = subjectIndexer(async () => 'short');

    // Act
    const computing = index(jordan);

    // Assess
    await expect(computing).rejects.toThrow(/shorter than 32/);
  });

  it('reads the local key first, and names what is missing when there is no key', async () => {
    // Prepare
    const local = subjectIndexerFromEnv({
      SUBJECT_INDEX_LOCAL_KEY: key,
      SUBJECT_INDEX_KEY_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:never-read',
    });

    // Act
    const written = await local(jordan);
    const none = () => subjectIndexerFromEnv({});

    // Assess
    expect(written).toBe(await subjectIndexer(async () => key)(jordan));
    expect(none).toThrow(/SUBJECT_INDEX_KEY_ARN \(or SUBJECT_INDEX_LOCAL_KEY\)/);
  });
});
