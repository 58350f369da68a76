/**
 * Wildcard operands: `*` matches any run of characters (including none), `\*` is a literal
 * asterisk and `\\` a literal backslash. EventBridge refuses consecutive `**` and a backslash
 * before anything else (including a trailing backslash), per event-ruler's WildcardParser.
 */

/** A parsed wildcard: the literal runs between the `*` characters. */
export interface WildcardShape {
  /** Literal text between wildcards; `parts.length - 1` wildcards sit between them. */
  readonly parts: readonly string[];
}

/** Why a wildcard operand is refused, and at which character. */
export interface WildcardProblem {
  readonly problem: string;
  readonly position: number;
}

/** Parses a wildcard operand, or returns the first problem EventBridge would report. */
export function parseWildcard(operand: string): WildcardShape | WildcardProblem {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < operand.length; i++) {
    const char = operand[i];
    if (char === '\\') {
      const next = operand[i + 1];
      if (next !== '*' && next !== '\\') {
        return { problem: 'Invalid escape character', position: i };
      }
      current += next;
      i++;
    } else if (char === '*') {
      if (operand[i + 1] === '*') {
        return { problem: 'Consecutive wildcard characters', position: i };
      }
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return { parts };
}

/** Compiles a parsed wildcard into a string test that allocates nothing per call. */
export function wildcardTester(shape: WildcardShape): (value: string) => boolean {
  const parts = shape.parts;
  const first = parts[0] ?? '';
  if (parts.length === 1) return (value) => value === first;
  const last = parts[parts.length - 1] ?? '';
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  const fixed = first.length + last.length;
  return (value) => {
    if (value.length < fixed || !value.startsWith(first) || !value.endsWith(last)) return false;
    // Leftmost placement of each middle run is optimal for a `*`-only glob.
    let from = first.length;
    const end = value.length - last.length;
    for (const part of middle) {
      const at = value.indexOf(part, from);
      if (at < 0 || at + part.length > end) return false;
      from = at + part.length;
    }
    return true;
  };
}
