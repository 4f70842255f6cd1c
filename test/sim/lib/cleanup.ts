// What reset deletes: every object of the tracked kinds that was not there once the
// simulator was up and seeded (the baseline), in kube-system, default and at cluster
// scope, plus every namespace created since.
import { readFile, writeFile } from 'node:fs/promises';
import { inParallel, type Api } from './api.ts';
import type { Layout } from './layout.ts';
import { collectionPath, kinds, objectKey, type Kind } from './resources.ts';

/** Namespaces whose objects reset sorts into baseline (kept) and the rest (deleted). */
export const watchedNamespaces = ['kube-system', 'default'];

// Pods, ReplicaSets and Jobs with an owner go with their owner (garbage collector).
const trackedKinds = kinds.filter((k) => k.kind !== 'Namespace');

interface Listed {
  kind: Kind;
  object: any;
}

async function listTracked(api: Api): Promise<Listed[]> {
  const paths = trackedKinds.flatMap((kind) => (kind.namespaced ? watchedNamespaces.map((ns) => ({ kind, path: collectionPath(kind, ns) })) : [{ kind, path: collectionPath(kind) }]));
  const lists = await Promise.all(paths.map(async ({ kind, path }) => (await api.list(path)).map((object) => ({ kind, object }))));
  return lists.flat();
}

export async function saveBaseline(api: Api, l: Layout): Promise<void> {
  const objects = await listTracked(api);
  const namespaces = await api.list('/api/v1/namespaces');
  const baseline = {
    objects: objects.map(({ kind, object }) => objectKey(object, kind.kind)).sort(),
    namespaces: namespaces.map((ns) => ns.metadata.name).sort(),
  };
  await writeFile(l.baselineFile, `${JSON.stringify(baseline, null, 1)}\n`);
}

export interface Cleaned {
  deleted: string[];
  /** Namespaces deleted: Terminating, without pods, gone a few seconds later. */
  namespaces: string[];
}

/** Deletes what is not in the baseline or the seed; does not wait for namespaces to go. */
export async function deleteExtras(api: Api, l: Layout, seedKeys: Set<string>): Promise<Cleaned> {
  const baseline: { objects: string[]; namespaces: string[] } = JSON.parse(await readFile(l.baselineFile, 'utf8'));
  const keep = new Set([...baseline.objects, ...seedKeys]);
  const extras = (await listTracked(api)).filter(({ kind, object }) => !keep.has(objectKey(object, kind.kind)) && !(object.metadata.ownerReferences?.length > 0));
  const namespaces = (await api.list('/api/v1/namespaces')).map((ns) => ns.metadata.name as string).filter((name) => !baseline.namespaces.includes(name));

  // The namespace controller waits 5s (a constant) before it empties a deleted namespace.
  // Reset does not wait for it: once a namespace is Terminating nothing can be created
  // in it, so deleting its pods at once (no grace) leaves nothing running there.
  await inParallel(namespaces, 16, async (ns) => {
    await api.request('DELETE', `/api/v1/namespaces/${ns}`, { accept: [404, 409] });
  });
  await forceDeletePods(api, namespaces);
  await inParallel(extras, 16, async ({ kind, object }) => {
    const grace = kind.kind === 'Pod' ? '&gracePeriodSeconds=0' : '';
    await api.request('DELETE', `${collectionPath(kind, object.metadata.namespace)}/${encodeURIComponent(object.metadata.name)}?propagationPolicy=Background${grace}`, { accept: [404, 409] });
  });
  return { deleted: extras.map(({ kind, object }) => objectKey(object, kind.kind)), namespaces };
}

/** Deletes the namespaces' pods without grace (no kubelet would confirm a graceful end). */
export async function forceDeletePods(api: Api, namespaces: string[]): Promise<void> {
  await inParallel(namespaces, 16, async (ns) => {
    await api.request('DELETE', `/api/v1/namespaces/${ns}/pods?gracePeriodSeconds=0`, { accept: [404] });
  });
}
