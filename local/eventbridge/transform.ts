/**
 * What a rule target receives: the whole event, the part InputPath selects, or the text an
 * InputTransformer builds (EventBridge user guide, "Amazon EventBridge input transformation").
 */
export interface TargetInput {
  inputPath?: string;
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
}

export interface TransformContext {
  ruleName: string;
  ruleArn: string;
}

/** The message body a target gets for an event. */
export function targetBody(
  event: Record<string, unknown>,
  input: TargetInput,
  context: TransformContext,
): string {
  if (input.inputPath) return JSON.stringify(selectPath(event, input.inputPath) ?? null);
  if (!input.inputTransformer) return JSON.stringify(event);

  const { inputPathsMap = {}, inputTemplate } = input.inputTransformer;
  const values = new Map<string, unknown>(
    Object.entries(inputPathsMap).map(([name, path]) => [name, selectPath(event, path)]),
  );
  values.set('aws.events.rule-name', context.ruleName);
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);
  values.set('aws.events.event.ingestion-time', event.time);
  return fillTemplate(inputTemplate, values);
}

/**
 * Replaces each `<name>` placeholder. Inside a JSON string (between quotes) a value is inserted
 * as text, escaped; elsewhere as JSON. A placeholder whose path found nothing becomes null
 * (or the empty string inside quotes).
 */
function fillTemplate(template: string, values: ReadonlyMap<string, unknown>): string {
  let output = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    if (char === '\\' && inString) {
      output += char + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === '<') {
      const end = template.indexOf('>', i);
      const name = end === -1 ? undefined : template.slice(i + 1, end);
      if (name !== undefined && values.has(name)) {
        const value = values.get(name);
        output += inString ? escapeForString(value) : JSON.stringify(value ?? null);
        i = end;
        continue;
      }
    }
    output += char;
  }
  return output;
}

function escapeForString(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}

/**
 * Reads a JSONPath of the form EventBridge accepts for input paths: `$`, `$.a.b`, `$.a[0]`,
 * `$['a-b']`. Returns undefined when any step is missing.
 */
export function selectPath(root: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`Input path ${path} must start with $`);
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g)];
  let current: unknown = root;
  for (const [, dotted, index, quoted] of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = dotted ?? quoted ?? Number(index);
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
