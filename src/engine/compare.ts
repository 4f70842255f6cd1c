import { compare as jsonCompare, deepClone, type Operation } from './json-patch.ts';
import type { KubeObject } from '../kube/types.ts';
import type { DesiredObject } from './types.ts';
import { withoutServerFields } from './server-fields.ts';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Lays `desired` over `live` in subset mode: keys the desired side names win, the rest of
 * the live object stays; `null` removes a key. Arrays of equal length merge element by
 * element (so server defaults inside list items survive); otherwise the desired array wins.
 */
export function overlay(live: Json, desired: Json): Json {
  if (isObject(live) && isObject(desired)) {
    const merged: JsonObject = { ...live };
    for (const [key, value] of Object.entries(desired)) {
      if (value === null) delete merged[key];
      else if (value !== undefined) merged[key] = overlay(live[key], value);
    }
    return merged;
  }
  if (Array.isArray(live) && Array.isArray(desired) && live.length === desired.length) {
    return desired.map((item, index) => overlay(live[index], item));
  }
  return desired === null ? undefined : deepClone(desired);
}

function pointerParts(pointer: string): string[] {
  return pointer.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(object: Json, pointer: string): Json {
  let node: Json = object;
  for (const part of pointerParts(pointer)) {
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as JsonObject)[part];
  }
  return node;
}

function setAt(object: JsonObject, pointer: string, value: Json): void {
  const parts = pointerParts(pointer);
  let node: JsonObject = object;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as JsonObject;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = deepClone(value);
}

/**
 * The object as it should be once the desired fields are applied to the live one:
 * exact mode keeps only what the recipe says (metadata labels and annotations are always
 * compared as a subset: other tools may add theirs), subset mode keeps everything else.
 */
export function target(live: KubeObject, desired: DesiredObject): JsonObject {
  const base = withoutServerFields(live) as JsonObject;
  const wanted = deepClone(desired.object) as JsonObject;
  let result: JsonObject;
  if (desired.mode === 'subset') {
    result = overlay(base, wanted) as JsonObject;
  } else {
    const liveMeta = base.metadata as JsonObject;
    const wantedMeta = (wanted.metadata ?? {}) as JsonObject;
    result = {
      ...wanted,
      metadata: {
        ...liveMeta,
        labels: overlay(liveMeta.labels ?? {}, wantedMeta.labels ?? {}),
        annotations: overlay(liveMeta.annotations ?? {}, wantedMeta.annotations ?? {}),
      },
    };
  }
  for (const pointer of desired.keepLive ?? []) setAt(result, pointer, getAt(base, pointer));
  const metadata = result.metadata as JsonObject;
  for (const key of ['labels', 'annotations']) {
    if (isObject(metadata[key]) && Object.keys(metadata[key]).length === 0 && live.metadata[key] === undefined) {
      delete metadata[key];
    }
  }
  return result;
}

/**
 * The minimal JSON patch from live to desired, guarded by a test on resourceVersion so the
 * server refuses it if anyone changed the object after we read it. Empty when nothing differs.
 */
export function diffPatch(live: KubeObject, desired: DesiredObject): Operation[] {
  const operations = jsonCompare(withoutServerFields(live), target(live, desired));
  if (operations.length === 0) return [];
  return [{ op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion }, ...operations];
}

/** A desired object as it is created: subset-mode nulls ("must be absent") simply left out. */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T;
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null)
      .map(([key, item]) => [key, withoutNulls(item)]),
  ) as T;
}

