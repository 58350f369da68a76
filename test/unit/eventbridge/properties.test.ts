import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '#shared/routing/pattern.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Primitive = null | boolean | number | string;
interface Leaf {
  readonly path: readonly string[];
  readonly value: Primitive | Primitive[];
}

// `$or` is an operator in a pattern and `__proto__` cannot be an own key of an object literal.
const fieldName = fc.string({ maxLength: 8 }).filter((key) => key !== '$or' && key !== '__proto__');
const primitive: fc.Arbitrary<Primitive> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const leafValue = fc.oneof(primitive, fc.array(primitive, { minLength: 1, maxLength: 3 }));
const { node: eventObject } = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
  node: fc.dictionary(fieldName, fc.oneof({ depthSize: 'small' }, leafValue, tie('node')), {
    minKeys: 1,
    maxKeys: 4,
  }),
}));

function leavesOf(value: Record<string, unknown>, path: readonly string[] = []): Leaf[] {
  return Object.entries(value).flatMap(([key, child]) =>
    typeof child === 'object' && child !== null && !Array.isArray(child)
      ? leavesOf(child as Record<string, unknown>, [...path, key])
      : [{ path: [...path, key], value: child as Primitive | Primitive[] }],
  );
}

function patternFrom(leaves: readonly Leaf[], pick: number): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  for (const { path, value } of leaves) {
    let node = pattern;
    for (const key of path.slice(0, -1)) {
      // Own-property check: a key such as "constructor" must not reach Object.prototype.
      if (!Object.hasOwn(node, key)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const chosen = Array.isArray(value) ? value[pick % value.length] : value;
    node[path[path.length - 1]!] = [chosen];
  }
  return pattern;
}

const detailEvent = (value: unknown): Record<string, unknown> => ({
  source: 'test',
  detail: value === undefined ? {} : { f: value },
});

/** A number EventBridge accepts in a numeric operand: within ±5.0e9, six decimals at most. */
const numericOperand = fc
  .bigInt({ min: -5_000_000_000_000_000n, max: 5_000_000_000_000_000n })
  .map((micros) => Number(micros) / 1e6);

describe('pattern properties', () => {
  it("a pattern built from an event's own leaf values matches it", () => {
    fc.assert(
      fc.property(
        eventObject.chain((evt) =>
          fc.tuple(fc.constant(evt), fc.subarray(leavesOf(evt), { minLength: 1 }), fc.nat()),
        ),
        ([evt, chosen, pick]) => {
          // Prepare
          const pattern = patternFrom(chosen, pick);

          // Act
          const result = matchesPattern(pattern, evt);

          // Assess
          expect(result).toBe(true);
        },
      ),
    );
  });

  it('anything-but [x] never matches a field equal to x, alone or in an array', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.integer({ min: -1_000_000_000, max: 1_000_000_000 })),
        fc.boolean(),
        (x, asArray) => {
          // Prepare
          const pattern = { detail: { f: [{ 'anything-but': [x] }] } };

          // Act
          const result = matchesPattern(pattern, detailEvent(asArray ? [x, x] : x));

          // Assess
          expect(result).toBe(false);
        },
      ),
    );
  });

  it('anything-but [x] matches any other value of the same type', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (x, y) => {
        fc.pre(x !== y);
        // Prepare
        const pattern = { detail: { f: [{ 'anything-but': [x] }] } };

        // Act
        const result = matchesPattern(pattern, detailEvent(y));

        // Assess
        expect(result).toBe(true);
      }),
    );
  });

  it("a prefix or suffix taken from a string's own ends matches it", () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), (text, cut) => {
        // Prepare
        const at = cut % (text.length + 1);
        const prefix = { detail: { f: [{ prefix: text.slice(0, at) }] } };
        const suffix = { detail: { f: [{ suffix: text.slice(at) }] } };

        // Act
        const prefixResult = matchesPattern(prefix, detailEvent(text));
        const suffixResult = matchesPattern(suffix, detailEvent(text));

        // Assess
        expect(prefixResult).toBe(true);
        expect(suffixResult).toBe(true);
      }),
    );
  });

  it('exists:true and exists:false are complements on a leaf', () => {
    fc.assert(
      fc.property(fc.option(fc.jsonValue(), { nil: undefined }), (value) => {
        // Prepare
        const evt = detailEvent(value as Json | undefined);

        // Act
        const present = matchesPattern({ detail: { f: [{ exists: true }] } }, evt);
        const absent = matchesPattern({ detail: { f: [{ exists: false }] } }, evt);

        // Assess
        expect(present).toBe(!absent);
      }),
    );
  });

  it('a numeric range containing the value matches, and one beside it does not', () => {
    fc.assert(
      fc.property(fc.uniqueArray(numericOperand, { minLength: 3, maxLength: 3 }), (values) => {
        // Prepare
        const [low, value, high] = [...values].sort((a, b) => a - b) as [number, number, number];
        const closed = { detail: { f: [{ numeric: ['>=', low, '<=', high] }] } };
        const open = { detail: { f: [{ numeric: ['>', low, '<', high] }] } };
        const below = { detail: { f: [{ numeric: ['<', value] }] } };

        // Act
        const closedResult = matchesPattern(closed, detailEvent(value));
        const openResult = matchesPattern(open, detailEvent(value));
        const belowResult = matchesPattern(below, detailEvent(value));

        // Assess
        expect(closedResult).toBe(true);
        expect(openResult).toBe(true);
        expect(belowResult).toBe(false);
      }),
    );
  });

  it('$or of [p, q] matches exactly when p or q matches', () => {
    const field = fc.constantFrom('a', 'b', 'c');
    const value = fc.oneof(fc.constantFrom('x', 'y', 'xy'), fc.integer({ min: 0, max: 3 }));
    const condition = fc.oneof(
      value.map((v) => [v]),
      fc.constantFrom('x', 'y').map((p) => [{ prefix: p }]),
      fc.integer({ min: 0, max: 3 }).map((n) => [{ numeric: ['>', n] }]),
      fc.constantFrom('x', 1).map((v) => [{ 'anything-but': v }]),
      fc.boolean().map((exists) => [{ exists }]),
    );
    const branch = fc
      .dictionary(field, condition, { minKeys: 1, maxKeys: 3 })
      .map((fields) => ({ detail: fields }));
    const evt = fc.dictionary(field, value, { maxKeys: 3 }).map((detail) => ({ detail }));

    fc.assert(
      fc.property(branch, branch, evt, (p, q, e) => {
        // Prepare
        const either = { $or: [p, q] };

        // Act
        const result = matchesPattern(either, e);

        // Assess
        expect(result).toBe(matchesPattern(p, e) || matchesPattern(q, e));
      }),
    );
  });
});
