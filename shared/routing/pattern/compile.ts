/**
 * Turns a parsed event pattern into alternatives of matcher trees, validating as it goes.
 *
 * `$or` is expanded the way event-ruler's JsonRuleCompiler does it: every `$or` member forks
 * the alternatives built so far, and a leaf is written into every alternative in document
 * order. Writing the same field path twice keeps the last write (event-ruler's default
 * "rule overriding"), so a field constrained both beside and inside a `$or` takes the later value.
 * When `$or` is not usable as the operator, EventBridge retries with its legacy compiler, which
 * reads `$or` as an ordinary field name; that fallback is reproduced here.
 */
import type { PatternPath } from './errors.ts';
import {
  InvalidEventPatternError,
  PatternTooComplexError,
  describeType,
  invalidPattern,
  isJsonObject,
  patternTooComplex,
} from './errors.ts';
import { compileLeaf } from './leaf.ts';
import type { FieldMatcher, LeafMatcher, ObjectMatcher } from './match.ts';

/** EventBridge refuses a pattern whose `$or` arrays expand to more than this many combinations. */
export const MAX_OR_COMBINATIONS = 1000;

/** Not an AWS rule: a recursion guard far deeper than any pattern within PutRule's 4096 characters. */
const MAX_DEPTH = 1000;

/** Operator names event-ruler refuses as field names anywhere inside a `$or` member. */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  'html',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

interface DraftField {
  leaf: LeafMatcher | undefined;
  child: Draft | undefined;
}
type Draft = Map<string, DraftField>;

interface Mode {
  readonly expandOr: boolean;
  readonly insideOr: boolean;
}

function copyDraft(draft: Draft): Draft {
  const copy: Draft = new Map();
  for (const [key, field] of draft) {
    copy.set(key, {
      leaf: field.leaf,
      child: field.child === undefined ? undefined : copyDraft(field.child),
    });
  }
  return copy;
}

function fieldIn(draft: Draft, key: string): DraftField {
  let field = draft.get(key);
  if (field === undefined) {
    field = { leaf: undefined, child: undefined };
    draft.set(key, field);
  }
  return field;
}

function writeLeaf(
  alternatives: Draft[],
  fieldPath: readonly string[],
  leaf: LeafMatcher,
): Draft[] {
  const written = alternatives.length > 0 ? alternatives : [new Map<string, DraftField>()];
  const parents = fieldPath.slice(0, -1);
  const last = fieldPath[fieldPath.length - 1] ?? '';
  for (const alternative of written) {
    let node = alternative;
    for (const key of parents) {
      const field = fieldIn(node, key);
      field.child ??= new Map();
      node = field.child;
    }
    fieldIn(node, last).leaf = leaf;
  }
  return written;
}

function compileOr(
  alternatives: Draft[],
  members: unknown,
  fieldPath: readonly string[],
  at: PatternPath,
): Draft[] {
  if (!Array.isArray(members)) {
    throw invalidPattern(
      `"$or" must be an array of at least 2 objects, not ${describeType(members)}`,
      at,
    );
  }
  const expanded: Draft[] = [];
  (members as readonly unknown[]).forEach((member, index) => {
    if (!isJsonObject(member)) {
      throw invalidPattern(
        `Only JSON objects are allowed in the "$or" array, not ${describeType(member)}`,
        [...at, index],
      );
    }
    const forked =
      alternatives.length > 0 ? alternatives.map(copyDraft) : [new Map<string, DraftField>()];
    expanded.push(
      ...compileObject(forked, member, fieldPath, [...at, index], {
        expandOr: true,
        insideOr: true,
      }),
    );
    if (expanded.length > MAX_OR_COMBINATIONS) {
      throw patternTooComplex(
        `"$or" expands to more than ${MAX_OR_COMBINATIONS} rule combinations`,
        at,
      );
    }
  });
  if (members.length < 2) {
    throw invalidPattern(`"$or" must contain at least 2 objects, found ${members.length}`, at);
  }
  return expanded;
}

function compileObject(
  alternatives: Draft[],
  object: Readonly<Record<string, unknown>>,
  fieldPath: readonly string[],
  at: PatternPath,
  mode: Mode,
): Draft[] {
  if (fieldPath.length > MAX_DEPTH)
    throw patternTooComplex('Event pattern is nested too deeply', at);
  const entries = Object.entries(object);
  if (entries.length === 0) throw invalidPattern('Empty objects are not allowed', at);
  let current = alternatives;
  for (const [key, value] of entries) {
    const valuePath = [...at, key];
    if (key === '$or' && mode.expandOr) {
      current = compileOr(current, value, fieldPath, valuePath);
      continue;
    }
    if (mode.insideOr && RESERVED_IN_OR.has(key)) {
      throw invalidPattern(
        `"${key}" is a reserved keyword and cannot be used as a field name inside "$or"`,
        valuePath,
      );
    }
    // event-ruler flattens patterns to dotted names, so `"a.b"` is the same path as `a` then `b`.
    const childPath = [...fieldPath, ...key.split('.')];
    if (Array.isArray(value)) {
      current = writeLeaf(current, childPath, compileLeaf(value, childPath, valuePath));
    } else if (isJsonObject(value)) {
      current = compileObject(current, value, childPath, valuePath, mode);
    } else {
      throw invalidPattern(
        `"${key}" must be an object or an array, not ${describeType(value)}`,
        valuePath,
      );
    }
  }
  return current;
}

/** The path of every leaf in one alternative that can match a value (not absence alone). */
function valueLeafPaths(draft: Draft, prefix: readonly string[] = []): string[][] {
  return [...draft].flatMap(([key, field]) => [
    ...(field.leaf !== undefined && !absenceOnly(field.leaf) ? [[...prefix, key]] : []),
    ...(field.child === undefined ? [] : valueLeafPaths(field.child, [...prefix, key])),
  ]);
}

function absenceOnly(leaf: LeafMatcher): boolean {
  return (
    leaf.absentOk &&
    leaf.strings === undefined &&
    leaf.ipStrings === undefined &&
    leaf.stringTests.length === 0 &&
    !leaf.anyString &&
    leaf.numbers === undefined &&
    leaf.numberTests.length === 0 &&
    !leaf.anyNumber &&
    !leaf.matchNull &&
    !leaf.matchTrue &&
    !leaf.matchFalse
  );
}

/**
 * Where `exists: false` at `path` is judged within the array element already chosen: at each
 * depth whose array another field of the pattern, earlier in event-ruler's order (dotted names,
 * sorted), has matched in. Elsewhere absence is judged across all of an array's elements.
 */
function pinnedDepths(path: readonly string[], valueLeaves: readonly string[][]): Set<number> {
  const name = path.join('.');
  const pinned = new Set<number>();
  for (const other of valueLeaves) {
    if (!(other.join('.') < name)) continue;
    for (let depth = 1; depth < path.length && other[depth - 1] === path[depth - 1]; depth++) {
      pinned.add(depth);
    }
  }
  return pinned;
}

function toMatcher(
  draft: Draft,
  depth = 0,
  valueLeaves: readonly string[][] = valueLeafPaths(draft),
): ObjectMatcher {
  const fields: FieldMatcher[] = [];
  for (const [key, field] of draft) {
    fields.push({
      key,
      inherited: key in Object.prototype,
      leaf: field.leaf,
      child: field.child === undefined ? undefined : toMatcher(field.child, depth + 1, valueLeaves),
      ...(field.leaf?.absentOk
        ? { absencePinned: pinnedDepths(field.leaf.path, valueLeaves) }
        : {}),
    });
  }
  // Cheap leaf checks first so most non-matching events are refused before any descent.
  fields.sort((a, b) => Number(a.child !== undefined) - Number(b.child !== undefined));
  return { depth, fields };
}

function mentionsOr(value: unknown): boolean {
  if (!isJsonObject(value)) return false;
  return Object.entries(value).some(([key, child]) => key === '$or' || mentionsOr(child));
}

/** Validates a parsed pattern and compiles it to alternatives; the event matches if any does. */
export function compileAlternatives(pattern: unknown): readonly ObjectMatcher[] {
  if (!isJsonObject(pattern)) {
    throw invalidPattern(`Event pattern must be a JSON object, not ${describeType(pattern)}`, []);
  }
  const compile = (expandOr: boolean): readonly ObjectMatcher[] =>
    compileObject([], pattern, [], [], { expandOr, insideOr: false }).map((draft) =>
      toMatcher(draft),
    );
  try {
    return compile(true);
  } catch (error) {
    if (
      !(error instanceof InvalidEventPatternError) ||
      error instanceof PatternTooComplexError ||
      !mentionsOr(pattern)
    ) {
      throw error;
    }
    try {
      return compile(false);
    } catch {
      // The legacy reading failed too: the `$or`-aware complaint is the useful one.
      throw error;
    }
  }
}
