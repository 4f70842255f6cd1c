import { HOSTNAME_LABEL, INSTANCE_LABEL, POOL_LABEL, ZONE_LABEL } from './labels.ts';
import type { PodSpec } from '../kube/types.ts';

/**
 * One pod per zone before any zone gets a second (as the guide's patches), counted over the
 * current ReplicaSet only (matchLabelKeys) so that a rolling update does not skew it.
 */
export const zoneSpread = (instance: string) => ({
  maxSkew: 1,
  topologyKey: ZONE_LABEL,
  whenUnsatisfiable: 'ScheduleAnyway',
  labelSelector: { matchLabels: { [INSTANCE_LABEL]: instance } },
  matchLabelKeys: ['pod-template-hash'],
});

/** Preferred, not required: a small cluster must still be able to schedule every replica. */
export const preferredHostAntiAffinity = (instance: string) => ({
  preferredDuringSchedulingIgnoredDuringExecution: [
    {
      weight: 100,
      podAffinityTerm: {
        labelSelector: { matchLabels: { [INSTANCE_LABEL]: instance } },
        topologyKey: HOSTNAME_LABEL,
      },
    },
  ],
});

export const poolAffinity = (pools: string[]) => ({
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [...pools] }] }],
  },
});

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** The pools a pod spec is pinned to by our node affinity; [] when it is not pinned. */
export function pinnedPools(podSpec: PodSpec | undefined): string[] {
  const nodeAffinity = podSpec?.affinity?.nodeAffinity as ReturnType<typeof poolAffinity> | undefined;
  const terms = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const expressions: NodeSelectorRequirement[] = terms.flatMap((term) => term.matchExpressions ?? []);
  return expressions.find((expression) => expression.key === POOL_LABEL && expression.operator === 'In')?.values ?? [];
}

/** Sets or clears the pool pinning of a pod spec in place. */
export function applyPools(podSpec: PodSpec, pools: string[]): void {
  const { nodeAffinity: _previous, ...otherAffinity } = podSpec.affinity ?? {};
  const affinity = pools.length > 0 ? { ...otherAffinity, nodeAffinity: poolAffinity(pools) } : otherAffinity;
  if (Object.keys(affinity).length > 0) podSpec.affinity = affinity;
  else delete podSpec.affinity;
}
