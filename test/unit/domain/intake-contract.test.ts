import { describe, expect, it } from 'vitest';
import { checkSubmission } from '#shared/domain/intake.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import { keyPaths, objectPaths, pointerOf, withValue, withoutKey } from './json-walk.ts';
import { fridayNight } from './submissions.ts';

const examples = exampleFileNames();

describe('the shared example referrals are the intake contract', () => {
  it('has examples to check', () => {
    // Prepare
    const expected = Object.keys(exampleReferral('expectations.json'));

    // Act
    const names = [...examples].sort();

    // Assess
    expect(names).toEqual([...expected].sort());
  });

  it.each(examples)('accepts %s as it stands', (name) => {
    // Prepare
    const body = exampleReferral(name);

    // Act
    const result = checkSubmission(body, fridayNight, avonAndSomerset);

    // Assess
    expect(result).toMatchObject({ ok: true, submission: { pathway: body.pathway } });
  });
});

describe.each(examples)('mutations of %s', (name) => {
  const example = exampleReferral(name);
  const requiredFields = keyPaths(example).map((path) => [pointerOf(path), path] as const);
  const objects = objectPaths(example).map((path) => [pointerOf(path) || '(root)', path] as const);

  it('walks every depth of the example', () => {
    // Prepare
    const pointers = objects.map(([pointer]) => pointer);

    // Act
    const depths = objects.map(([, path]) => path.length);

    // Assess
    expect(pointers).toEqual(
      expect.arrayContaining(['(root)', '/referrer', '/subject', '/consent', '/details']),
    );
    expect(Math.max(...depths)).toBe(1);
    expect(requiredFields.length).toBeGreaterThan(15);
  });

  it.each(requiredFields)('refuses the body without %s and names that field', (pointer, path) => {
    // Prepare
    const body = withoutKey(example, path);

    // Act
    const result = checkSubmission(body, fridayNight, avonAndSomerset);

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.pointer)).toContain(pointer);
  });

  it.each(objects)('refuses an unknown key in %s and points at the key itself', (_, path) => {
    // Prepare
    const body = withValue(example, [...path, 'nhsNumber'], '943 476 5919');

    // Act
    const result = checkSubmission(body, fridayNight, avonAndSomerset);

    // Assess
    expect(result).toEqual({
      ok: false,
      problems: [
        { pointer: pointerOf([...path, 'nhsNumber']), detail: 'is not a field of this referral' },
      ],
    });
  });

  it.each(objects)(
    'refuses keys inherited by every object (__proto__, constructor) in %s',
    (_, path) => {
      // Prepare
      const keys = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
      const bodies = keys.map((key) => withValue(example, [...path, key], { polluted: true }));

      // Act
      const results = bodies.map((body) => checkSubmission(body, fridayNight, avonAndSomerset));

      // Assess
      results.forEach((result, i) => {
        expect(result.ok).toBe(false);
        expect(!result.ok && result.problems.map((p) => p.pointer)).toContain(
          pointerOf([...path, keys[i]!]),
        );
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});
