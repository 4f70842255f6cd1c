import type { KubeClient, KubeObject, ObjectRef } from '../kube/types.ts';
import type { ClusterView, Recipe } from '../recipes/types.ts';
import { refKey, type LiveObjects } from './plan.ts';

export interface Snapshot {
  view: ClusterView;
  live: LiveObjects;
}

function uniqueRefs(refs: ObjectRef[]): ObjectRef[] {
  return [...new Map(refs.map((ref) => [refKey(ref), ref])).values()];
}

/**
 * Everything the recipes need, in one concurrent round of reads: nodes, the namespace's
 * PodDisruptionBudgets, and each object a recipe may touch (missing ones are undefined).
 */
export async function readSnapshot(kube: KubeClient, namespace: string, recipes: Recipe[]): Promise<Snapshot> {
  const refs = uniqueRefs(recipes.flatMap((recipe) => recipe.refs(namespace)));
  const [nodes, podDisruptionBudgets, ...objects] = await Promise.all([
    kube.list('v1', 'Node'),
    kube.list('policy/v1', 'PodDisruptionBudget', { namespace }),
    ...refs.map((ref) => kube.get(ref)),
  ]);
  const live = new Map<string, KubeObject | undefined>(refs.map((ref, index) => [refKey(ref), objects[index] as KubeObject | undefined]));
  const view: ClusterView = {
    namespace,
    nodes: nodes as KubeObject[],
    podDisruptionBudgets: podDisruptionBudgets as KubeObject[],
    get: (ref) => live.get(refKey(ref)),
  };
  return { view, live };
}
