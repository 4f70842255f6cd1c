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
 * Kinds read with one list of the namespace rather than one GET per object: one request
 * instead of up to six, in the same round (a namespace holds few of them, so few bytes).
 * ConfigMaps stay GETs: kube-system holds large ones we never look at.
 */
export const LISTED_KINDS = [
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
] as const;

/**
 * Everything the recipes (the sources) need, in one concurrent round of reads: nodes, the
 * namespace's PodDisruptionBudgets, Deployments and Services, and each other object a
 * recipe may touch (missing ones are undefined).
 */
export async function readSnapshot(kube: KubeClient, namespace: string, sources: readonly ObjectSource[]): Promise<Snapshot> {
  const refs = uniqueRefs(sources.flatMap((source) => source.refs(namespace)));
  const listedKind = (ref: ObjectRef) => (ref.namespace === namespace ? LISTED_KINDS.findIndex((listed) => listed.apiVersion === ref.apiVersion && listed.kind === ref.kind) : -1);
  // PodDisruptionBudgets are listed anyway (recipes look at all of them); the others only when a recipe needs one.
  const lists = LISTED_KINDS.map((_, index) => index === 0 || refs.some((ref) => listedKind(ref) === index));
  const fetched = refs.filter((ref) => listedKind(ref) < 0);
  const [nodes, listed, objects] = await Promise.all([
    kube.list('v1', 'Node'),
    Promise.all(LISTED_KINDS.map((kind, index) => (lists[index] ? kube.list(kind.apiVersion, kind.kind, { namespace }) : Promise.resolve([])))),
    Promise.all(fetched.map((ref) => kube.get(ref))),
  ]);
  const live = new Map<string, KubeObject | undefined>(fetched.map((ref, index) => [refKey(ref), objects[index]]));
  for (const ref of refs) {
    const index = listedKind(ref);
    if (index >= 0) live.set(refKey(ref), listed[index]!.find((object) => object.metadata.name === ref.name));
  }
  const view: ClusterView = {
    namespace,
    nodes,
    podDisruptionBudgets: listed[0]!,
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
