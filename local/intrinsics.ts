/** What `Ref` and `Fn::GetAtt` resolve to for one logical id in the local runtime. */
export interface LocalPhysical {
  ref: string;
  attributes: Record<string, string>;
}

/** Raised for template values the local runtime cannot resolve, naming the value. */
export class UnresolvableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableError';
  }
}

/**
 * Resolves the CloudFormation intrinsics CDK emits for wiring (Ref, Fn::GetAtt, Fn::Join)
 * against the resources the local runtime created.
 */
export function resolveValue(
  value: unknown,
  physical: ReadonlyMap<string, LocalPhysical>,
): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, physical));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first && first[0] === 'Ref') {
    return lookup(physical, String(first[1])).ref;
  }
  if (entries.length === 1 && first && first[0] === 'Fn::GetAtt') {
    const [logicalId, attribute] = first[1] as [string, string];
    const resolved = lookup(physical, logicalId).attributes[attribute];
    if (resolved === undefined) {
      throw new UnresolvableError(`Fn::GetAtt ${logicalId}.${attribute} has no local value`);
    }
    return resolved;
  }
  if (entries.length === 1 && first && first[0] === 'Fn::Join') {
    const [separator, parts] = first[1] as [string, unknown[]];
    return parts.map((part) => String(resolveValue(part, physical))).join(separator);
  }
  if (entries.length === 1 && first && first[0].startsWith('Fn::')) {
    throw new UnresolvableError(`${first[0]} is not supported by the local runtime`);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveValue(item, physical)]));
}

function lookup(physical: ReadonlyMap<string, LocalPhysical>, logicalId: string): LocalPhysical {
  const found = physical.get(logicalId);
  if (!found) throw new UnresolvableError(`${logicalId} is not a resource the local runtime runs`);
  return found;
}
