/** Walks parsed JSON to generate field-level mutations of example referral bodies. */

export type JsonPath = readonly (string | number)[];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON Pointer (RFC 6901) of a path, as the intake reports problems. */
export function pointerOf(path: JsonPath): string {
  return path
    .map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}

/** Paths of every object in the value, the root included, at every depth (through arrays). */
export function objectPaths(value: unknown, path: JsonPath = []): JsonPath[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => objectPaths(item, [...path, i]));
  if (!isPlainObject(value)) return [];
  return [
    path,
    ...Object.entries(value).flatMap(([key, child]) => objectPaths(child, [...path, key])),
  ];
}

/** Paths of every key of every object in the value, at every depth. */
export function keyPaths(value: unknown): JsonPath[] {
  return objectPaths(value).flatMap((objectPath) =>
    Object.keys(valueAt(value, objectPath) as Record<string, unknown>).map((key) => [
      ...objectPath,
      key,
    ]),
  );
}

/** Every string leaf under the value, with its path. */
export function stringLeaves(
  value: unknown,
  path: JsonPath = [],
): { path: JsonPath; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringLeaves(item, [...path, i]));
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, [...path, key]));
  }
  return [];
}

export function valueAt(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>(
    (current, part) => (current as Record<string | number, unknown>)[part],
    value,
  );
}

/** A deep copy of `value` with the key at `path` removed. */
export function withoutKey<T>(value: T, path: JsonPath): T {
  const copy = structuredClone(value);
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  Reflect.deleteProperty(parent, path[path.length - 1]!);
  return copy;
}

/** A deep copy of `value` with `child` set at `path` (an own property, whatever the key). */
export function withValue<T>(value: T, path: JsonPath, child: unknown): T {
  const copy = structuredClone(value);
  if (path.length === 0) return child as T;
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  Object.defineProperty(parent, path[path.length - 1]!, {
    value: child,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}
