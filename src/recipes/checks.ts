import type { KubeObject, ObjectRef, PodSpec } from '../kube/types.ts';
import { PreflightError, describeRef } from '../engine/errors.ts';
import { isReady, poolOf, poolsOf, zoneOf, zonesOf } from './cluster.ts';
import { isOurs } from '../engine/ownership.ts';
import { pinnedPools } from './placement.ts';
import { selectorMatches, type LabelSelector } from '../kube/selector.ts';
import type { ClusterView } from '../engine/types.ts';

// Checks a recipe makes before it plans: each failure names the problem and the way out.

export function requireOriginal(view: ClusterView, ref: ObjectRef): KubeObject {
  const original = view.get(ref);
  if (!original) {
    throw new PreflightError(
      `${describeRef(ref)} not found: kapsule-ha works on the kube-system components of a Kapsule cluster ` +
        `(check --context and --namespace).`,
    );
  }
  return original;
}

/**
 * An original at 0 replicas with no copy at all: nothing of ours serves in its place, so a
 * manual procedure (the guide's copy, then scale to 0) was left half done. Copying a stopped
 * original would hide that: refuse and say how to get back to a known state.
 */
export function requireRunningOrCopied(view: ClusterView, original: KubeObject, copy: ObjectRef): void {
  const replicas = (original.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  if (replicas > 0 || view.get(copy)) return;
  const name = original.metadata.name;
  throw new PreflightError(
    `deployment/${name} in namespace ${view.namespace} is scaled to 0 and there is no ${copy.name}: a manual HA ` +
      `procedure looks half done and nothing of ours serves in its place. Scale it back ` +
      `(kubectl -n ${view.namespace} scale deployment/${name} --replicas=1), then enable again.`,
  );
}

/** An eviction of a pod that two PodDisruptionBudgets select always fails: refuse to add a second. */
export function requireNoOtherPdb(view: ClusterView, podLabels: Record<string, string>, ours: string): void {
  const others = view.podDisruptionBudgets.filter(
    (pdb) =>
      pdb.metadata.name !== ours &&
      !isOurs(pdb.metadata.labels) &&
      selectorMatches((pdb.spec as { selector?: LabelSelector } | undefined)?.selector, podLabels),
  );
  if (others.length > 0) {
    const names = others.map((pdb) => `poddisruptionbudget/${pdb.metadata.name}`).join(', ');
    throw new PreflightError(
      `${names} in namespace ${view.namespace} already selects the pods of ${ours}; a pod under two ` +
        `PodDisruptionBudgets cannot be evicted. Delete it (kubectl-kapsule-ha creates its own) and retry.`,
    );
  }
}

export interface ResolvedPools {
  pools: string[];
  warnings: string[];
}

/** The pools to pin to: the flag, else the copy's current pinning. Refuses a pool without a Ready node. */
export function resolvePools(view: ClusterView, requested: string[] | undefined, liveCopy: KubeObject | undefined): ResolvedPools {
  const pools =
    requested ??
    (liveCopy && isOurs(liveCopy.metadata.labels)
      ? pinnedPools((liveCopy.spec as { template?: { spec?: PodSpec } }).template?.spec)
      : []);
  if (pools.length === 0) return { pools, warnings: [] };
  const readyNodes = view.nodes.filter(isReady);
  const empty = pools.filter((pool) => !readyNodes.some((node) => poolOf(node) === pool));
  if (empty.length > 0) {
    const known = poolsOf(readyNodes);
    throw new PreflightError(
      `pool${empty.length > 1 ? 's' : ''} ${empty.join(', ')} ha${empty.length > 1 ? 've' : 's'} no Ready node ` +
        `(pools with Ready nodes: ${known.join(', ') || 'none'}); choose --pools among them, or --unpin.`,
    );
  }
  const pinnedZones = zonesOf(readyNodes.filter((node) => pools.includes(poolOf(node) ?? '')));
  const allZones = zonesOf(readyNodes);
  const warnings =
    pinnedZones.length < allZones.length
      ? [
          `pools ${pools.join(', ')} cover ${pinnedZones.length} of the cluster's ${allZones.length} zones ` +
            `(${pinnedZones.join(', ')}): a zone outage there takes more than its share of replicas.`,
        ]
      : [];
  return { pools: [...pools], warnings };
}

export const readyZoneCount = (view: ClusterView): number =>
  new Set(view.nodes.filter(isReady).map(zoneOf).filter(Boolean)).size;
