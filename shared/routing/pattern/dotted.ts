/**
 * event-ruler flattens an event to dotted field names before matching, so a key that contains
 * dots (`{"a.b": 1}`) names the same field as nested keys (`{"a": {"b": 1}}`). The matcher walks
 * nested objects, so such keys are expanded first; where both spellings hold values, the field
 * holds all of them.
 */
import { isJsonObject } from './errors.ts';

function hasDottedKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasDottedKey);
  if (!isJsonObject(value)) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (key.includes('.') || hasDottedKey(value[key])) return true;
  }
  return false;
}

/** Both values at one field: objects merged field by field, anything else held side by side. */
function merge(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (isJsonObject(a) && isJsonObject(b)) {
    const merged: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) merged[key] = merge(merged[key], value);
    return merged;
  }
  return [...[a].flat(), ...[b].flat()];
}

function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (!isJsonObject(value)) return value;
  const expanded: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, child] of Object.entries(value)) {
    const [first = key, ...rest] = key.split('.');
    const nested = rest.reduceRight<unknown>((inner, part) => ({ [part]: inner }), expand(child));
    expanded[first] = merge(expanded[first], nested);
  }
  return expanded;
}

// A bus matches one event against every rule: look through each event object once. Like a
// pattern object, an event object must not be changed after it has been matched.
const expandedEvents = new WeakMap<object, unknown>();

/** The event with every dotted key expanded into nested objects; itself when it has none. */
export function withDottedKeysExpanded(event: unknown): unknown {
  if (typeof event !== 'object' || event === null) return event;
  if (expandedEvents.has(event)) return expandedEvents.get(event);
  const expanded = hasDottedKey(event) ? expand(event) : event;
  expandedEvents.set(event, expanded);
  return expanded;
}
