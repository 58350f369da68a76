/**
 * The compiled form and the matcher built from it. A pattern compiles to alternatives (one
 * per `$or` combination, as event-ruler expands them); each alternative is a tree of fields
 * mirroring the pattern's nesting, turned into nested closures so that matching walks the
 * event once per alternative, without flattening it first.
 */
import { ipKey } from './cidr.ts';
import { isJsonObject } from './errors.ts';

/** A test on one string leaf value. */
export type StringTest = (value: string) => boolean;
/** A test on one number leaf value. */
export type NumberTest = (value: number) => boolean;

/** Everything one pattern leaf (`"field": [ ... ]`) accepts, bucketed by JSON type. */
export interface LeafShape {
  /** Field names from the event root, used by `exists: false`, which is judged event-wide. */
  readonly path: readonly string[];
  readonly strings: ReadonlySet<string> | undefined;
  /** Exact strings that are IP literals, keyed canonically: event-ruler compares them as addresses. */
  readonly ipStrings: ReadonlySet<string> | undefined;
  readonly stringTests: readonly StringTest[];
  readonly anyString: boolean;
  readonly numbers: ReadonlySet<number> | undefined;
  readonly numberTests: readonly NumberTest[];
  readonly anyNumber: boolean;
  readonly matchNull: boolean;
  readonly matchTrue: boolean;
  readonly matchFalse: boolean;
  /** `exists: false` is among the values: an event with no leaf at `path` satisfies the leaf. */
  readonly absentOk: boolean;
}

/** A leaf with its compiled test: true when some leaf value under the event value is accepted. */
export interface LeafMatcher extends LeafShape {
  readonly matches: (value: unknown) => boolean;
}

/** One field of a pattern object: a leaf, a nested object, or (after `$or` merging) both. */
export interface FieldMatcher {
  readonly key: string;
  /** The key is also a property of Object.prototype, so the lookup must be own-property checked. */
  readonly inherited: boolean;
  readonly leaf: LeafMatcher | undefined;
  readonly child: ObjectMatcher | undefined;
  /** For an `exists: false` leaf: the depths whose array element is already chosen. */
  readonly absencePinned?: ReadonlySet<number>;
}

/** A pattern object: every field must match (AND). */
export interface ObjectMatcher {
  /** How many fields deep from the event root this object sits. */
  readonly depth: number;
  readonly fields: readonly FieldMatcher[];
}

// Stands in for a missing or non-object value: no field of it exists.
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze(
  Object.create(null) as Record<string, unknown>,
);

function stringMatches(leaf: LeafShape, value: string): boolean {
  if (leaf.anyString) return true;
  if (leaf.strings !== undefined && leaf.strings.has(value)) return true;
  for (const test of leaf.stringTests) {
    if (test(value)) return true;
  }
  if (leaf.ipStrings !== undefined) {
    const key = ipKey(value);
    if (key !== undefined && leaf.ipStrings.has(key)) return true;
  }
  return false;
}

function numberMatches(leaf: LeafShape, value: number): boolean {
  if (leaf.anyNumber) return true;
  if (leaf.numbers !== undefined && leaf.numbers.has(value)) return true;
  for (const test of leaf.numberTests) {
    if (test(value)) return true;
  }
  return false;
}

/** True when some leaf value under `value` (array elements included) satisfies the leaf. */
function leafValueMatches(leaf: LeafShape, value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return stringMatches(leaf, value);
    case 'number':
      return numberMatches(leaf, value);
    case 'boolean':
      return value ? leaf.matchTrue : leaf.matchFalse;
    case 'object':
      if (value === null) return leaf.matchNull;
      if (Array.isArray(value)) {
        // An event array matches when any element does (a non-empty intersection).
        for (const element of value as readonly unknown[]) {
          if (leafValueMatches(leaf, element)) return true;
        }
      }
      // An object is not a leaf: a pattern leaf never matches it (exists included).
      return false;
    default:
      return false;
  }
}

/**
 * Compiles a leaf's test. The common shapes (one exact string, one string operator, one numeric
 * range) get a direct check for scalar values; everything else takes the general path.
 */
export function leafTester(leaf: LeafShape): (value: unknown) => boolean {
  const general = (value: unknown): boolean => leafValueMatches(leaf, value);
  // Arrays still go through the general path, which looks at every element.
  const inArray = (value: unknown): boolean => Array.isArray(value) && general(value);
  const noOtherTypes =
    !leaf.matchNull && !leaf.matchTrue && !leaf.matchFalse && leaf.ipStrings === undefined;
  const noStrings = !leaf.anyString && leaf.strings === undefined && leaf.stringTests.length === 0;
  const noNumbers = !leaf.anyNumber && leaf.numbers === undefined && leaf.numberTests.length === 0;
  if (!noOtherTypes) return general;
  const [onlyString] = leaf.strings ?? [];
  if (noNumbers && !leaf.anyString && leaf.stringTests.length === 0 && leaf.strings?.size === 1) {
    return (value) => value === onlyString || inArray(value);
  }
  const [onlyStringTest] = leaf.stringTests;
  if (noNumbers && !leaf.anyString && leaf.strings === undefined && leaf.stringTests.length === 1) {
    return (value) =>
      typeof value === 'string' ? onlyStringTest?.(value) === true : inArray(value);
  }
  const [onlyNumberTest] = leaf.numberTests;
  if (noStrings && !leaf.anyNumber && leaf.numbers === undefined && leaf.numberTests.length === 1) {
    return (value) =>
      typeof value === 'number' ? onlyNumberTest?.(value) === true : inArray(value);
  }
  return general;
}

function holdsLeaf(value: unknown): boolean {
  if (value === undefined || typeof value === 'function') return false;
  if (Array.isArray(value)) return value.some(holdsLeaf);
  return !isJsonObject(value);
}

/**
 * The event object chosen at each depth of the current descent (`chosen[0]` is the event): an
 * array's elements are tried one at a time, and this records which one is being tried.
 */
type Chosen = unknown[];

/**
 * Whether the event has any leaf at `path`, as event-ruler's array-consistent matching sees it:
 * through an array whose element another field already chose (a pinned depth), only that
 * element; through any other array, every element.
 */
function hasLeafAt(
  value: unknown,
  path: readonly string[],
  depth: number,
  pinned: ReadonlySet<number>,
  chosen: Chosen,
): boolean {
  if (depth === path.length) return holdsLeaf(value);
  if (Array.isArray(value)) {
    return pinned.has(depth)
      ? hasLeafAt(chosen[depth], path, depth, pinned, chosen)
      : value.some((element) => hasLeafAt(element, path, depth, pinned, chosen));
  }
  if (!isJsonObject(value)) return false;
  const key = path[depth];
  if (key === undefined || !Object.prototype.hasOwnProperty.call(value, key)) return false;
  return hasLeafAt(value[key], path, depth + 1, pinned, chosen);
}

/** Tests one event value, with the objects chosen on the way down (for `exists: false`). */
type ValueTest = (value: unknown, chosen: Chosen) => boolean;
/** Tests the fields of one event object. */
type RecordTest = (record: Readonly<Record<string, unknown>>, chosen: Chosen) => boolean;

/** One field: its leaf and/or nested object must hold. The plain cases skip the general path. */
function fieldTest(field: FieldMatcher): RecordTest {
  const { key, leaf, inherited } = field;
  const child = field.child === undefined ? undefined : valueTest(field.child);
  const read = inherited
    ? (record: Readonly<Record<string, unknown>>): unknown =>
        Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined
    : (record: Readonly<Record<string, unknown>>): unknown => record[key];
  if (leaf !== undefined && child === undefined && !leaf.absentOk && !inherited) {
    const matches = leaf.matches;
    return (record) => matches(record[key]);
  }
  if (leaf === undefined && child !== undefined && !inherited) {
    return (record, chosen) => child(record[key], chosen);
  }
  const pinned = field.absencePinned ?? new Set<number>();
  return (record, chosen) => {
    const value = read(record);
    if (
      leaf !== undefined &&
      !leaf.matches(value) &&
      !(leaf.absentOk && !hasLeafAt(chosen[0], leaf.path, 0, pinned, chosen))
    ) {
      return false;
    }
    return child === undefined || child(value, chosen);
  };
}

/** Every field of a pattern object must hold (AND); short objects avoid the loop. */
function recordTest(node: ObjectMatcher): RecordTest {
  const tests = node.fields.map(fieldTest);
  const [a, b, c] = tests;
  if (tests.length === 1 && a) return a;
  if (tests.length === 2 && a && b) return (r, chosen) => a(r, chosen) && b(r, chosen);
  if (tests.length === 3 && a && b && c) {
    return (r, chosen) => a(r, chosen) && b(r, chosen) && c(r, chosen);
  }
  return (r, chosen) => {
    for (const test of tests) if (!test(r, chosen)) return false;
    return true;
  };
}

/**
 * Matches a pattern object against an event value. An array is matched element by element and
 * the whole object must hold within one element: event-ruler's array-consistent matching, which
 * refuses to combine fields from different elements of the same array.
 */
function valueTest(node: ObjectMatcher): ValueTest {
  const test = recordTest(node);
  const { depth } = node;
  const self: ValueTest = (value, chosen) => {
    if (Array.isArray(value)) {
      for (const element of value as readonly unknown[]) if (self(element, chosen)) return true;
      return value.length === 0 && self(EMPTY, chosen);
    }
    const record = isJsonObject(value) ? value : EMPTY;
    chosen[depth] = record;
    return test(record, chosen);
  };
  return self;
}

/** Compiles the alternatives into one test: the event matches when any alternative does. */
export function compileMatcher(
  alternatives: readonly ObjectMatcher[],
): (event: unknown) => boolean {
  const tests = alternatives.map(valueTest);
  const [only] = tests;
  if (tests.length === 1 && only) return (event) => only(event, [event]);
  return (event) => {
    for (const test of tests) if (test(event, [event])) return true;
    return false;
  };
}
