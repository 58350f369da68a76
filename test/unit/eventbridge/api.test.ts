import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  compilePattern,
  matchesPattern,
  validatePattern,
} from '#shared/routing/pattern.ts';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'referral.received',
  source: 'reachable.avon-and-somerset',
  account: '123456789012',
  time: '2025-01-01T00:00:00Z',
  region: 'eu-west-2',
  resources: [],
  detail: { spoke: 'bristol', ageYears: 14 },
};

describe('compilePattern', () => {
  it('returns a function that also exposes matches and the alternative count', () => {
    // Prepare
    const pattern = {
      source: ['reachable.avon-and-somerset'],
      detail: { $or: [{ spoke: ['bristol'] }, { ageYears: [{ numeric: ['<', 10] }] }] },
    };

    // Act
    const compiled = compilePattern(pattern);

    // Assess
    expect(compiled(event)).toBe(true);
    expect(compiled.matches(event)).toBe(true);
    expect(compiled.alternatives).toBe(2);
  });

  it('returns the cached compiled form for the same pattern object or text', () => {
    // Prepare
    const pattern = { detail: { spoke: ['bristol'] } };
    const text = JSON.stringify(pattern);

    // Act
    const first = compilePattern(pattern);
    const second = compilePattern(pattern);
    const firstText = compilePattern(text);
    const secondText = compilePattern(text);

    // Assess
    expect(second).toBe(first);
    expect(secondText).toBe(firstText);
  });

  it('reads a string event as JSON text, as TestEventPattern does', () => {
    // Prepare
    const compiled = compilePattern({ detail: { spoke: ['bristol'] } });

    // Act
    const result = compiled(JSON.stringify(event));

    // Assess
    expect(result).toBe(true);
  });
});

describe('InvalidEventPatternError', () => {
  it('is an Error with a name, a reason and the path of the problem', () => {
    // Prepare
    let thrown: unknown;

    // Act
    try {
      validatePattern({ detail: { state: [{ prefix: 5 }] } });
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toBeInstanceOf(InvalidEventPatternError);
    const error = thrown as InvalidEventPatternError;
    expect(error.name).toBe('InvalidEventPatternError');
    expect(error.reason).toBe('"prefix" match pattern must be a string, not a number');
    expect(error.path).toBe('detail.state[0].prefix');
    expect(error.message).toBe(
      'Event pattern is not valid. Reason: "prefix" match pattern must be a string, not a number at [Source: detail.state[0].prefix]',
    );
  });

  it('keeps the JSON syntax error as its cause', () => {
    // Prepare
    let thrown: unknown;

    // Act
    try {
      validatePattern('{"source": ');
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(InvalidEventPatternError);
    expect((thrown as InvalidEventPatternError).cause).toBeInstanceOf(SyntaxError);
  });

  it('accepts standard ErrorOptions', () => {
    // Prepare
    const cause = new Error('root');

    // Act
    const error = new InvalidEventPatternError('Event pattern is not valid. Reason: x', { cause });

    // Assess
    expect(error.cause).toBe(cause);
    expect(error.reason).toBe('Event pattern is not valid. Reason: x');
  });

  it('is thrown again on every use of a cached invalid pattern', () => {
    // Prepare
    const pattern = { source: [] };

    // Act
    const first = (): void => validatePattern(pattern);
    const second = (): boolean => matchesPattern(pattern, event);

    // Assess
    expect(first).toThrow(/Empty arrays are not allowed/);
    expect(second).toThrow(/Empty arrays are not allowed/);
  });
});

describe('matchesPattern', () => {
  it('does not read inherited properties as event fields', () => {
    // Prepare
    const pattern = { detail: { constructor: [{ exists: true }] } };

    // Act
    const plain = matchesPattern(pattern, event);
    const own = matchesPattern(pattern, { ...event, detail: { constructor: 'x' } });

    // Assess
    expect(plain).toBe(false);
    expect(own).toBe(true);
  });

  it('validates without matching', () => {
    // Prepare
    const pattern = '{"source":[{"prefix":"reachable."}]}';

    // Act
    const outcome = validatePattern(pattern);

    // Assess
    expect(outcome).toBeUndefined();
  });
});
