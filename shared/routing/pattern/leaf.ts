/**
 * Compiles one pattern leaf (`"field": [ value, { operator }, ... ]`) into a LeafMatcher,
 * validating every value and operator the way EventBridge's rule compiler (event-ruler's
 * JsonRuleCompiler) does. The values of a leaf are alternatives: the leaf matches when any does.
 */
import { cidrTester, ipKey, parseCidr } from './cidr.ts';
import type { PatternPath } from './errors.ts';
import { describeType, invalidPattern, isJsonObject } from './errors.ts';
import type { LeafMatcher, LeafShape, NumberTest, StringTest } from './match.ts';
import { leafTester } from './match.ts';
import type { NumericBound } from './numeric.ts';
import { numericOperandProblem, numericTester } from './numeric.ts';
import { parseWildcard, wildcardTester } from './wildcard.ts';

class LeafBuilder {
  readonly strings = new Set<string>();
  readonly ipStrings = new Set<string>();
  readonly stringTests: StringTest[] = [];
  readonly numbers = new Set<number>();
  readonly numberTests: NumberTest[] = [];
  anyString = false;
  anyNumber = false;
  matchNull = false;
  matchTrue = false;
  matchFalse = false;
  absentOk = false;

  /** Accepts every present leaf value of the types not named: how anything-but treats them. */
  acceptOtherTypes(except: 'string' | 'number'): void {
    if (except !== 'string') this.anyString = true;
    if (except !== 'number') this.anyNumber = true;
    this.matchNull = true;
    this.matchTrue = true;
    this.matchFalse = true;
  }

  build(path: readonly string[]): LeafMatcher {
    const shape: LeafShape = {
      path,
      strings: this.strings.size > 0 ? this.strings : undefined,
      ipStrings: this.ipStrings.size > 0 ? this.ipStrings : undefined,
      stringTests: this.stringTests,
      anyString: this.anyString,
      numbers: this.numbers.size > 0 ? this.numbers : undefined,
      numberTests: this.numberTests,
      anyNumber: this.anyNumber,
      matchNull: this.matchNull,
      matchTrue: this.matchTrue,
      matchFalse: this.matchFalse,
      absentOk: this.absentOk,
    };
    return { ...shape, matches: leafTester(shape) };
  }
}

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);

const ANYTHING_BUT_NESTED = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);

function requireString(operand: unknown, operator: string, at: PatternPath): string {
  if (typeof operand !== 'string') {
    throw invalidPattern(
      `"${operator}" match pattern must be a string, not ${describeType(operand)}`,
      at,
    );
  }
  return operand;
}

function compileWildcard(operand: string, at: PatternPath): StringTest {
  const shape = parseWildcard(operand);
  if ('problem' in shape) {
    throw invalidPattern(`${shape.problem} at pos ${shape.position} in wildcard "${operand}"`, at);
  }
  return wildcardTester(shape);
}

/** `prefix`/`suffix` with a string, or `{ "equals-ignore-case": string }` for case-insensitive. */
function compileAffix(
  builder: LeafBuilder,
  operator: 'prefix' | 'suffix',
  operand: unknown,
  at: PatternPath,
): void {
  if (isJsonObject(operand)) {
    const keys = Object.keys(operand);
    const [inner] = keys;
    if (inner === undefined) {
      throw invalidPattern(`"${operator}" object must contain "equals-ignore-case"`, at);
    }
    if (inner !== 'equals-ignore-case') {
      throw invalidPattern(`Unsupported ${operator} pattern: ${inner}`, [...at, inner]);
    }
    if (keys.length > 1) {
      throw invalidPattern(`Only one key allowed in ${operator} expression`, at);
    }
    const text = requireString(operand[inner], inner, [...at, inner]).toLowerCase();
    builder.stringTests.push(
      operator === 'prefix'
        ? (value) => value.toLowerCase().startsWith(text)
        : (value) => value.toLowerCase().endsWith(text),
    );
    return;
  }
  const text = requireString(operand, operator, at);
  // An empty affix is accepted: it reads "any string value" (event-ruler matches the quoted form).
  builder.stringTests.push(
    operator === 'prefix' ? (value) => value.startsWith(text) : (value) => value.endsWith(text),
  );
}

function numericValue(operand: unknown, operator: string, at: PatternPath): number {
  if (typeof operand !== 'number') {
    const name = operator === '=' ? 'equals' : operator;
    throw invalidPattern(`Value of ${name} must be numeric, not ${describeType(operand)}`, at);
  }
  const problem = numericOperandProblem(operand);
  if (problem !== undefined) throw invalidPattern(problem, at);
  return operand;
}

/** `numeric`: `["=", n]`, `["<" | "<=", n]`, or `[">" | ">=", n]` optionally followed by `"<" | "<=", m`. */
function compileNumeric(operand: unknown, at: PatternPath): NumberTest {
  if (!Array.isArray(operand)) {
    throw invalidPattern(`Value of numeric must be an array, not ${describeType(operand)}`, at);
  }
  const terms: readonly unknown[] = operand;
  const [operator, first] = terms;
  if (typeof operator !== 'string') {
    throw invalidPattern(
      operator === undefined
        ? 'Numeric expression must not be empty'
        : `Invalid member in numeric match: expected an operator, not ${describeType(operator)}`,
      [...at, 0],
    );
  }
  if (!['=', '<', '<=', '>', '>='].includes(operator)) {
    throw invalidPattern(`Unrecognized numeric range operator: ${operator}`, [...at, 0]);
  }
  const value = numericValue(first, operator, [...at, 1]);
  if (operator === '=' || operator === '<' || operator === '<=') {
    if (terms.length > 2) throw invalidPattern('Too many elements in numeric expression', at);
    if (operator === '=') return (n) => n === value;
    return numericTester(undefined, { value, inclusive: operator === '<=' });
  }
  const lower: NumericBound = { value, inclusive: operator === '>=' };
  if (terms.length === 2) return numericTester(lower, undefined);
  const upperOperator = terms[2];
  if (typeof upperOperator !== 'string') {
    throw invalidPattern(
      `Bad value in numeric range: expected "<" or "<=", not ${describeType(upperOperator)}`,
      [...at, 2],
    );
  }
  if (upperOperator !== '<' && upperOperator !== '<=') {
    throw invalidPattern(`Bad numeric range operator: ${upperOperator}`, [...at, 2]);
  }
  const top = numericValue(terms[3], upperOperator, [...at, 3]);
  if (terms.length > 4) throw invalidPattern('Too many terms in numeric range expression', at);
  if (top <= value) {
    throw invalidPattern(`Bottom must be less than top (${value} is not below ${top})`, at);
  }
  return numericTester(lower, { value: top, inclusive: upperOperator === '<=' });
}

/** `anything-but` with `prefix`, `suffix`, `equals-ignore-case` or `wildcard`, each a string or list. */
function compileNestedAnythingBut(
  builder: LeafBuilder,
  operand: Record<string, unknown>,
  at: PatternPath,
): void {
  const keys = Object.keys(operand);
  const [inner] = keys;
  if (inner === undefined) throw invalidPattern('Anything-but expression name not found', at);
  if (!ANYTHING_BUT_NESTED.has(inner)) {
    throw invalidPattern(`Unsupported anything-but pattern: ${inner}`, [...at, inner]);
  }
  if (keys.length > 1) throw invalidPattern('Only one key allowed in anything-but expression', at);
  const innerPath = [...at, inner];
  const value = operand[inner];
  if (!Array.isArray(value) && typeof value !== 'string' && typeof value !== 'number') {
    throw invalidPattern(
      `Value of anything-but/${inner} must be a string or an array of strings, not ${describeType(value)}`,
      innerPath,
    );
  }
  const listed: readonly unknown[] = Array.isArray(value) ? value : [value];
  const texts = listed.map((item, index) => {
    const itemPath = Array.isArray(value) ? [...innerPath, index] : innerPath;
    const text = requireString(item, `anything-but/${inner}`, itemPath);
    if ((inner === 'prefix' || inner === 'suffix') && text === '') {
      throw invalidPattern(`Null ${inner} not allowed in anything-but`, itemPath);
    }
    return text;
  });
  let excluded: StringTest;
  switch (inner) {
    case 'prefix':
      excluded = (s) => texts.some((text) => s.startsWith(text));
      break;
    case 'suffix':
      excluded = (s) => texts.some((text) => s.endsWith(text));
      break;
    case 'equals-ignore-case': {
      const lowered = new Set(texts.map((text) => text.toLowerCase()));
      excluded = (s) => lowered.has(s.toLowerCase());
      break;
    }
    default: {
      const testers = texts.map((text, index) =>
        compileWildcard(text, Array.isArray(value) ? [...innerPath, index] : innerPath),
      );
      excluded = (s) => testers.some((test) => test(s));
    }
  }
  builder.stringTests.push((s) => !excluded(s));
  builder.acceptOtherTypes('string');
}

/**
 * `anything-but`: a string, a number, a list of only strings or only numbers, or a nested
 * operator. It matches any present leaf value except the excluded ones: following event-ruler,
 * a string exclusion still matches numbers, booleans and null, and a numeric one matches strings.
 */
function compileAnythingBut(builder: LeafBuilder, operand: unknown, at: PatternPath): void {
  if (isJsonObject(operand)) {
    compileNestedAnythingBut(builder, operand, at);
    return;
  }
  let values: readonly unknown[];
  if (typeof operand === 'string' || typeof operand === 'number') values = [operand];
  else if (Array.isArray(operand)) values = operand;
  else {
    throw invalidPattern(
      `Value of anything-but must be an array or single string/number value, not ${describeType(operand)}`,
      at,
    );
  }
  const strings = new Set<string>();
  const numbers = new Set<number>();
  values.forEach((value, index) => {
    const valuePath = Array.isArray(operand) ? [...at, index] : at;
    if (typeof value === 'string') strings.add(value);
    else if (typeof value === 'number') {
      const problem = numericOperandProblem(value);
      if (problem !== undefined) throw invalidPattern(problem, valuePath);
      numbers.add(value);
    } else {
      throw invalidPattern(
        `Inside anything-but list, only strings and numbers are supported, not ${describeType(value)}`,
        valuePath,
      );
    }
  });
  if (strings.size > 0 === numbers.size > 0) {
    throw invalidPattern(
      strings.size > 0
        ? 'Inside anything-but list, either all values are numbers or all are strings; mixed types are not supported'
        : 'Inside anything-but list, at least one string or number is required',
      at,
    );
  }
  if (strings.size > 0) {
    builder.stringTests.push((s) => !strings.has(s));
    builder.acceptOtherTypes('string');
  } else {
    builder.numberTests.push((n) => !numbers.has(n));
    builder.acceptOtherTypes('number');
  }
}

function compileOperator(
  builder: LeafBuilder,
  expression: Record<string, unknown>,
  at: PatternPath,
): void {
  const keys = Object.keys(expression);
  const [operator] = keys;
  if (operator === undefined) {
    throw invalidPattern('Match expression name not found (empty object)', at);
  }
  if (!OPERATORS.has(operator)) throw invalidPattern(`Unrecognized match type ${operator}`, at);
  if (keys.length > 1) {
    throw invalidPattern(
      `Only one key allowed in match expression, found ${keys.map((key) => `"${key}"`).join(', ')}`,
      at,
    );
  }
  const operand = expression[operator];
  const operandPath = [...at, operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      compileAffix(builder, operator, operand, operandPath);
      break;
    case 'equals-ignore-case': {
      const lowered = requireString(operand, operator, operandPath).toLowerCase();
      builder.stringTests.push((value) => value.toLowerCase() === lowered);
      break;
    }
    case 'wildcard':
      builder.stringTests.push(
        compileWildcard(requireString(operand, operator, operandPath), operandPath),
      );
      break;
    case 'anything-but':
      compileAnythingBut(builder, operand, operandPath);
      break;
    case 'numeric':
      builder.numberTests.push(compileNumeric(operand, operandPath));
      break;
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw invalidPattern(
          `"exists" match pattern must be either true or false, not ${describeType(operand)}`,
          operandPath,
        );
      }
      if (operand) {
        builder.anyString = true;
        builder.anyNumber = true;
        builder.matchNull = true;
        builder.matchTrue = true;
        builder.matchFalse = true;
      } else {
        builder.absentOk = true;
      }
      break;
    default: {
      const range = parseCidr(requireString(operand, operator, operandPath));
      if ('problem' in range) throw invalidPattern(range.problem, operandPath);
      builder.stringTests.push(cidrTester(range));
    }
  }
}

/** Validates and compiles the value array of one pattern field. */
export function compileLeaf(
  values: readonly unknown[],
  fieldPath: readonly string[],
  at: PatternPath,
): LeafMatcher {
  if (values.length === 0) throw invalidPattern('Empty arrays are not allowed', at);
  const builder = new LeafBuilder();
  values.forEach((value, index) => {
    if (typeof value === 'string') {
      builder.strings.add(value);
      // event-ruler turns an IP-literal value into an address match, so spellings of it match too.
      const key = ipKey(value);
      if (key !== undefined) builder.ipStrings.add(key);
    } else if (typeof value === 'number') {
      // Numbers compare by value: 300, 300.0 and 3.0e2 parse to the same number.
      builder.numbers.add(value);
    } else if (typeof value === 'boolean') {
      if (value) builder.matchTrue = true;
      else builder.matchFalse = true;
    } else if (value === null) {
      builder.matchNull = true;
    } else if (isJsonObject(value)) {
      compileOperator(builder, value, [...at, index]);
    } else {
      throw invalidPattern(
        `Match value must be a string, number, true, false, null or an operator object, not ${describeType(value)}`,
        [...at, index],
      );
    }
  });
  return builder.build(fieldPath);
}
