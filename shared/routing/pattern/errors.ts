/** Extra detail an {@link InvalidEventPatternError} can carry besides the standard cause. */
export interface InvalidEventPatternErrorOptions extends ErrorOptions {
  /** The problem alone, without the "Event pattern is not valid" preamble. */
  readonly reason?: string;
  /** Where in the pattern the problem is, e.g. `detail.state[0].prefix`; empty for the whole pattern. */
  readonly path?: string;
}

/** Thrown for a pattern EventBridge would refuse with InvalidEventPatternException. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  readonly reason: string;
  readonly path: string;

  constructor(message: string, options?: InvalidEventPatternErrorOptions) {
    super(message, options);
    this.reason = options?.reason ?? message;
    this.path = options?.path ?? '';
  }
}

/**
 * Raised when a limit was reached rather than the syntax being wrong. Kept apart because
 * EventBridge does not retry such a pattern with its legacy, `$or`-unaware compiler.
 */
export class PatternTooComplexError extends InvalidEventPatternError {}

/** A location inside the pattern: object keys and array indexes from the root. */
export type PatternPath = readonly (string | number)[];

/** Renders a pattern path the way a reader would write it: `detail.state[0].prefix`. */
export function formatPath(path: PatternPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Builds the EventBridge-style error: `Event pattern is not valid. Reason: … at [Source: path]`. */
export function invalidPattern(
  reason: string,
  path: PatternPath,
  options?: ErrorOptions,
): InvalidEventPatternError {
  const where = formatPath(path);
  const message = `Event pattern is not valid. Reason: ${reason}${where === '' ? '' : ` at [Source: ${where}]`}`;
  return new InvalidEventPatternError(message, { ...options, reason, path: where });
}

/** Names a JSON value's type for error messages: "a number", "null", "an object"… */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds the error for a pattern that breaks a size or complexity limit. */
export function patternTooComplex(reason: string, path: PatternPath): PatternTooComplexError {
  const where = formatPath(path);
  const message = `Event pattern is not valid. Reason: ${reason}${where === '' ? '' : ` at [Source: ${where}]`}`;
  return new PatternTooComplexError(message, { reason, path: where });
}
