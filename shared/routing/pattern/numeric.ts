/**
 * Numeric operands. EventBridge documents numeric matching as limited to -5.0e9..+5.0e9
 * inclusive with six digits after the decimal point; event-ruler refuses pattern numbers
 * outside that, and an event number outside it is not treated as a number at all.
 */

/** The largest magnitude numeric matching works with. */
export const NUMERIC_LIMIT = 5e9;

/** Why a number cannot be a numeric operand, or undefined when it can. */
export function numericOperandProblem(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > NUMERIC_LIMIT) {
    return `Value must be between -5.0E9 and 5.0E9, inclusive, not ${value}`;
  }
  if (Number(value.toFixed(6)) !== value) {
    return `Only values up to 6 decimal places are supported, not ${value}`;
  }
  return undefined;
}

/** One bound of a numeric range: the value and whether it is included. */
export interface NumericBound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** Compiles bounds into a test; event numbers outside ±5.0e9 never match, as in event-ruler. */
export function numericTester(
  lower: NumericBound | undefined,
  upper: NumericBound | undefined,
): (value: number) => boolean {
  const lo = lower?.value ?? -NUMERIC_LIMIT;
  const hi = upper?.value ?? NUMERIC_LIMIT;
  const loIn = lower?.inclusive ?? true;
  const hiIn = upper?.inclusive ?? true;
  // Missing bounds default to the documented limits, so out-of-range event numbers fail.
  // Specialised closures keep the per-event check to two comparisons.
  if (loIn && hiIn) return (n) => n >= lo && n <= hi;
  if (loIn) return (n) => n >= lo && n < hi;
  if (hiIn) return (n) => n > lo && n <= hi;
  return (n) => n > lo && n < hi;
}
