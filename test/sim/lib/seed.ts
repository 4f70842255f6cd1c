// kube-system as Kapsule ships it (test/sim/seed/*.yaml), put in place by API.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Api } from './api.ts';
import { sourceDir } from './layout.ts';
import { objectPath, collectionPath, kindOf } from './resources.ts';

export const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

// Annotations a controller owns: putting the seed back must not take them away.
const serverOwnedAnnotations = ['deployment.kubernetes.io/revision'];

/** The seed's objects, dependencies first (service accounts before the pods that use them). */
export function seedObjects(): any[] {
  const dir = path.join(sourceDir, 'seed');
  const files = readdirSync(dir).filter((file) => file.endsWith('.yaml')).sort();
  const objects = files.flatMap((file) => parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => doc.toJS()));
  const last = (object: any) => (object.kind === 'Deployment' ? 1 : 0);
  return objects.filter(Boolean).sort((a, b) => last(a) - last(b));
}

/**
 * Creates what is missing and replaces what differs, so that every seed object is
 * exactly as in its file (labels, annotations, spec, data). Objects carry the
 * last-applied annotation `kubectl apply` would have written: Kapsule applies its
 * manifests that way, and the simulated upgrade (a `kubectl apply`) relies on it.
 */
export async function restoreSeed(api: Api, objects = seedObjects()): Promise<void> {
  const phases = [objects.filter((o) => o.kind !== 'Deployment'), objects.filter((o) => o.kind === 'Deployment')];
  for (const phase of phases) await Promise.all(phase.map((object) => restoreObject(api, object)));
}

async function restoreObject(api: Api, object: any): Promise<void> {
  const desired = withLastApplied(object);
  for (let attempt = 0; ; attempt++) {
    const live = await api.get(objectPath(object), [404]);
    if (live.status === 404) {
      const created = await api.request('POST', collectionPath(kindOf(object), object.metadata.namespace), { body: desired, accept: [409] });
      if (created.status !== 409) return;
    } else {
      const annotations = { ...desired.metadata.annotations };
      for (const key of serverOwnedAnnotations) {
        const value = live.body.metadata.annotations?.[key];
        if (value !== undefined) annotations[key] = value;
      }
      const body = { ...desired, metadata: { ...desired.metadata, annotations, resourceVersion: live.body.metadata.resourceVersion } };
      const replaced = await api.request('PUT', objectPath(object), { body, accept: [409] });
      if (replaced.status !== 409) return;
    }
    if (attempt >= 5) throw new Error(`could not restore ${objectPath(object)}: it keeps changing under us`);
  }
}

/** The object with the annotation `kubectl apply` writes when it creates it. */
export function withLastApplied(object: any): any {
  const { [lastAppliedAnnotation]: _, ...annotations } = object.metadata.annotations ?? {};
  const applied = { ...object, metadata: { ...object.metadata, annotations } };
  // kubectl encodes the object as Go encodes a map: keys sorted, then a newline.
  const value = `${JSON.stringify(sortKeys(applied))}\n`;
  return { ...applied, metadata: { ...applied.metadata, annotations: { ...annotations, [lastAppliedAnnotation]: value } } };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}
