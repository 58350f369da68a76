/**
 * EventBridge event patterns: validation and matching, faithful to the EventBridge user guide
 * ("Amazon EventBridge event patterns", "Comparison operators for use in event patterns") and,
 * where the guide is silent, to AWS's event-ruler library that EventBridge runs on.
 *
 * Pure domain code: no AWS SDK, no I/O. Patterns may be given as JSON text (as a rule stores
 * them) or as parsed objects (as a CloudFormation template gives them).
 */
import { compileAlternatives } from './pattern/compile.ts';
import { withDottedKeysExpanded } from './pattern/dotted.ts';
import { InvalidEventPatternError, invalidPattern } from './pattern/errors.ts';
import type { ObjectMatcher } from './pattern/match.ts';
import { compileMatcher } from './pattern/match.ts';

export { InvalidEventPatternError } from './pattern/errors.ts';
export type { InvalidEventPatternErrorOptions } from './pattern/errors.ts';

/** A compiled pattern: call it, or its `matches`, with an event. */
export interface CompiledPattern {
  (event: unknown): boolean;
  /** Same as calling the compiled pattern. */
  readonly matches: (event: unknown) => boolean;
  /** How many alternatives the pattern's `$or` arrays expanded to (1 without `$or`). */
  readonly alternatives: number;
}

/** Rule patterns are few and long-lived; this only bounds a caller that feeds in endless text. */
const MAX_CACHED_TEXT_PATTERNS = 1000;

const objectCache = new WeakMap<object, CompiledPattern | InvalidEventPatternError>();
const textCache = new Map<string, CompiledPattern | InvalidEventPatternError>();

function parsePatternText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidPattern('Event pattern is not valid JSON', [], { cause: error });
  }
}

function build(pattern: unknown): CompiledPattern {
  const parsed = typeof pattern === 'string' ? parsePatternText(pattern) : pattern;
  const alternatives: readonly ObjectMatcher[] = compileAlternatives(parsed);
  const run = compileMatcher(alternatives);
  const matches = (event: unknown): boolean =>
    run(withDottedKeysExpanded(typeof event === 'string' ? (JSON.parse(event) as unknown) : event));
  return Object.assign(matches, { matches, alternatives: alternatives.length });
}

function remember(pattern: unknown): CompiledPattern | InvalidEventPatternError {
  let outcome: CompiledPattern | InvalidEventPatternError;
  try {
    outcome = build(pattern);
  } catch (error) {
    if (!(error instanceof InvalidEventPatternError)) throw error;
    outcome = error;
  }
  if (typeof pattern === 'string') {
    if (textCache.size >= MAX_CACHED_TEXT_PATTERNS) textCache.clear();
    textCache.set(pattern, outcome);
  } else if (typeof pattern === 'object' && pattern !== null) {
    objectCache.set(pattern, outcome);
  }
  return outcome;
}

function cached(pattern: unknown): CompiledPattern {
  const hit =
    typeof pattern === 'string'
      ? textCache.get(pattern)
      : typeof pattern === 'object' && pattern !== null
        ? objectCache.get(pattern)
        : undefined;
  const outcome = hit ?? remember(pattern);
  if (outcome instanceof InvalidEventPatternError) throw outcome;
  return outcome;
}

/** Throws InvalidEventPatternError, with an EventBridge-style message, if EventBridge would refuse the pattern. */
export function validatePattern(pattern: unknown): void {
  cached(pattern);
}

/**
 * Compiles a pattern once for matching many events. A string event is read as JSON text, as
 * TestEventPattern takes it. Throws InvalidEventPatternError for an invalid pattern.
 */
export function compilePattern(pattern: unknown): CompiledPattern {
  return cached(pattern);
}

/**
 * Whether the event matches the pattern. The compiled form is cached per pattern object (a
 * pattern object must not be mutated after use) or per pattern text.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return cached(pattern)(event);
}
