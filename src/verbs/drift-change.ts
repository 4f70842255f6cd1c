// A drift finding's difference in one line, read as the change `enable` would make to the
// live object: `+ item` the expected side (the original, or this version) has and the live
// one lacks, `- item` the reverse, `a → b` a live value and the expected one. Lists name
// their items (args, env, volumes, tolerations…), maps their keys, long strings the first
// part that differs. Pure: no cluster, no I/O.

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (value: Json): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const equal = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

/** At most this many parts in a line; the rest is counted. */
const MAX_PARTS = 4;
const VALUE_WIDTH = 60;
const CONTEXT = 15;

/** A short rendering of one value: strings quoted, the rest as compact JSON, cut to a width. */
export function shortValue(value: Json, width = VALUE_WIDTH): string {
  const text = value === undefined ? '(none)' : JSON.stringify(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** What identifies an item of a list in a pod spec, by the list's name; undefined: no key. */
function keyOf(list: string, item: Json): string | undefined {
  if (!isObject(item)) return undefined;
  if (list === 'volumeMounts') return typeof item.mountPath === 'string' ? item.mountPath : undefined;
  if (list === 'ports' && item.name === undefined && item.containerPort !== undefined) return `${String(item.containerPort)}/${String(item.protocol ?? 'TCP')}`;
  return typeof item.name === 'string' ? item.name : undefined;
}

/** One item as a person names it: a toleration by key, operator and effect; an env var with its value. */
export function itemLabel(list: string, item: Json): string {
  if (typeof item === 'string') return item;
  if (!isObject(item)) return shortValue(item);
  if (list === 'tolerations') {
    const value = item.value === undefined ? '' : `=${String(item.value)}`;
    const key = item.key === undefined ? '(all keys)' : `${String(item.key)}${value}`;
    return `toleration ${key}${item.operator === 'Exists' ? ' (Exists)' : ''}${item.effect ? `:${String(item.effect)}` : ''}`;
  }
  if (list === 'env' && typeof item.name === 'string') {
    return 'value' in item ? `${item.name}=${shortValue(item.value, 40)}` : `${item.name} from ${Object.keys(item).filter((k) => k !== 'name').join(', ')}`;
  }
  if (list === 'volumes' && typeof item.name === 'string') {
    const source = Object.keys(item).find((k) => k !== 'name');
    return `volume ${item.name}${source ? ` (${source})` : ''}`;
  }
  if (list === 'volumeMounts') return `mount ${String(item.name)} at ${String(item.mountPath)}`;
  const key = keyOf(list, item);
  return key ?? shortValue(item);
}

/** The changes of a list: items matched by key where the list has one, else by value. */
function listParts(list: string, live: Json[], expected: Json[]): string[] {
  const keyed = [...live, ...expected].every((item) => keyOf(list, item) !== undefined);
  if (keyed) {
    const liveBy = new Map(live.map((item) => [keyOf(list, item)!, item]));
    const expectedBy = new Map(expected.map((item) => [keyOf(list, item)!, item]));
    const parts: string[] = [];
    for (const [key, item] of expectedBy) {
      const before = liveBy.get(key);
      if (before === undefined) parts.push(`+ ${itemLabel(list, item)}`);
      else if (!equal(before, item)) parts.push(...changedItem(key, before, item));
    }
    for (const [key, item] of liveBy) if (!expectedBy.has(key)) parts.push(`- ${itemLabel(list, item)}`);
    return parts.length > 0 || equal(live, expected) ? parts : ['order differs'];
  }
  const remaining = [...live];
  const added: Json[] = [];
  for (const item of expected) {
    const index = remaining.findIndex((candidate) => equal(candidate, item));
    if (index >= 0) remaining.splice(index, 1);
    else added.push(item);
  }
  const parts = [...added.map((item) => `+ ${itemLabel(list, item)}`), ...remaining.map((item) => `- ${itemLabel(list, item)}`)];
  return parts.length > 0 || equal(live, expected) ? parts : ['order differs'];
}

/** A keyed item present on both sides: `FOO: "a" → "b"` for an env value, else its own changes. */
function changedItem(key: string, live: Json, expected: Json): string[] {
  const inner = mapParts('', live as JsonObject, expected as JsonObject);
  if (inner.length === 1 && inner[0]!.startsWith('value: ')) return [`${key}: ${inner[0]!.slice('value: '.length)}`];
  return inner.map((part) => `${key} ${part}`);
}

/** The changes of a map, by dotted key path down to the leaves that differ. */
function mapParts(prefix: string, live: JsonObject, expected: JsonObject): string[] {
  const parts: string[] = [];
  const path = (key: string) => (prefix ? `${prefix}.${key}` : key);
  for (const key of Object.keys(expected)) {
    if (!(key in live)) parts.push(`+ ${path(key)}: ${shortValue(expected[key], 40)}`);
    else if (!equal(live[key], expected[key])) parts.push(...valueParts(path(key), key, live[key], expected[key]));
  }
  for (const key of Object.keys(live)) if (!(key in expected)) parts.push(`- ${path(key)}`);
  return parts;
}

function valueParts(path: string, name: string, live: Json, expected: Json): string[] {
  if (isObject(live) && isObject(expected)) return mapParts(path, live, expected);
  if (Array.isArray(live) && Array.isArray(expected)) return listParts(name, live, expected).map((part) => `${path} ${part}`);
  if (typeof live === 'string' && typeof expected === 'string') return [`${path}: ${stringChange(live, expected)}`];
  return [`${path}: ${shortValue(live, 40)} → ${shortValue(expected, 40)}`];
}

/** Two strings as `"a" → "b"`; long ones cut around the first character that differs. */
export function stringChange(live: string, expected: string): string {
  if (live.length <= 40 && expected.length <= 40) return `${JSON.stringify(live)} → ${JSON.stringify(expected)}`;
  let start = 0;
  while (start < live.length && live[start] === expected[start]) start++;
  const from = Math.max(0, start - CONTEXT);
  const cut = (text: string) => `${from > 0 ? '…' : ''}${JSON.stringify(text.slice(from, start + CONTEXT + 10)).slice(1, -1)}${start + CONTEXT + 10 < text.length ? '…' : ''}`;
  return `"${cut(live)}" → "${cut(expected)}" (from character ${start + 1})`;
}

/**
 * The difference between the live and the expected value of one field, as one line's worth
 * of parts. `list` names the field (args, env, tolerations…) so that its items are keyed.
 */
export function describeChange(list: string, live: Json, expected: Json): string {
  let parts: string[];
  if (live === undefined || live === null) parts = [`+ ${shortValue(expected)}`];
  else if (expected === undefined || expected === null) parts = [`- ${shortValue(live)}`];
  else if (Array.isArray(live) && Array.isArray(expected)) parts = listParts(list, live, expected);
  else if (isObject(live) && isObject(expected)) parts = mapParts('', live, expected);
  else if (typeof live === 'string' && typeof expected === 'string') parts = [stringChange(live, expected)];
  else parts = [`${shortValue(live)} → ${shortValue(expected)}`];
  if (parts.length <= MAX_PARTS) return parts.join(', ');
  return `${parts.slice(0, MAX_PARTS).join(', ')} … and ${parts.length - MAX_PARTS} more`;
}
