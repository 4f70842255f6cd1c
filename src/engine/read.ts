import type { KubeClient, KubeObject, ObjectRef } from '../kube/types.ts';
import { refKey, type LiveObjects } from './plan.ts';
import type { ClusterView } from './types.ts';

/** Whatever names the objects it may read or write in a namespace (a recipe does). */
export interface ObjectSource {
  refs(namespace: string): ObjectRef[];
}

export interface Snapshot {
  view: ClusterView;
  live: LiveObjects;
}

function uniqueRefs(refs: ObjectRef[]): ObjectRef[] {
  return [...new Map(refs.map((ref) => [refKey(ref), ref])).values()];
}

/**
 * Everything the recipes (the sources) need, in one concurrent round of reads: nodes, the namespace's
 * PodDisruptionBudgets, and each object a recipe may touch (missing ones are undefined).
 */
export async function readSnapshot(kube: KubeClient, namespace: string, sources: readonly ObjectSource[]): Promise<Snapshot> {
  const refs = uniqueRefs(sources.flatMap((source) => source.refs(namespace)));
  // The namespace's PodDisruptionBudgets are listed anyway: ours are taken from that list.
  const isListedPdb = (ref: ObjectRef) => ref.kind === 'PodDisruptionBudget' && ref.namespace === namespace;
  const fetched = refs.filter((ref) => !isListedPdb(ref));
  const [nodes, podDisruptionBudgets, ...objects] = await Promise.all([
    kube.list('v1', 'Node'),
    kube.list('policy/v1', 'PodDisruptionBudget', { namespace }),
    ...fetched.map((ref) => kube.get(ref)),
  ]);
  const live = new Map<string, KubeObject | undefined>(fetched.map((ref, index) => [refKey(ref), objects[index] as KubeObject | undefined]));
  for (const ref of refs.filter(isListedPdb)) {
    live.set(refKey(ref), (podDisruptionBudgets as KubeObject[]).find((pdb) => pdb.metadata.name === ref.name));
  }
  const view: ClusterView = {
    namespace,
    nodes: nodes as KubeObject[],
    podDisruptionBudgets: podDisruptionBudgets as KubeObject[],
    get: (ref) => live.get(refKey(ref)),
  };
  return { view, live };
}

/** These objects, read concurrently (missing ones undefined): what a plan of them needs. */
export async function readRefs(kube: KubeClient, refs: ObjectRef[]): Promise<LiveObjects> {
  const unique = uniqueRefs(refs);
  const objects = await Promise.all(unique.map((ref) => kube.get(ref)));
  return new Map(unique.map((ref, index) => [refKey(ref), objects[index]]));
}
