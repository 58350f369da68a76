import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  compilePattern,
  matchesPattern,
  validatePattern,
} from '#shared/routing/pattern.ts';
import { conformanceCases, invalidPatternCases } from './conformance-cases.ts';

describe('EventBridge pattern conformance (AWS documentation examples)', () => {
  it.each(conformanceCases)('$name', ({ pattern, event, expected }) => {
    // Prepare
    const compiled = compilePattern(pattern);

    // Act
    const compiledResult = compiled(event);
    const cachedResult = matchesPattern(pattern, event);

    // Assess
    expect(compiledResult).toBe(expected);
    expect(cachedResult).toBe(expected);
  });
});

describe('EventBridge pattern conformance with pattern and event as JSON text', () => {
  const objectCases = conformanceCases.filter(({ pattern }) => typeof pattern !== 'string');

  it.each(objectCases)('$name', ({ pattern, event, expected }) => {
    // Prepare
    const patternText = JSON.stringify(pattern);
    const eventText = JSON.stringify(event);

    // Act
    const result = matchesPattern(patternText, eventText);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('patterns EventBridge refuses', () => {
  it.each(invalidPatternCases)('$name', ({ pattern, reason }) => {
    // Prepare
    let thrown: unknown;

    // Act
    try {
      validatePattern(pattern);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(InvalidEventPatternError);
    const message = (thrown as InvalidEventPatternError).message;
    expect(message).toMatch(/^Event pattern is not valid\. Reason: /);
    expect(message).toMatch(reason);
    expect(() => matchesPattern(pattern, {})).toThrow(InvalidEventPatternError);
  });

  it('has at least 150 matching cases and 30 refusals', () => {
    // Prepare
    const matching = conformanceCases.length;
    const refused = invalidPatternCases.length;

    // Act
    const enough = matching >= 150 && refused >= 30;

    // Assess
    expect(enough).toBe(true);
  });
});
