import { PreflightError } from '../engine/errors.ts';
import type { DesiredState } from '../engine/types.ts';
import { isSchedulable } from './cluster.ts';
import { requireOriginal } from './checks.ts';
import { ENABLED_REPLICAS_ANNOTATION } from './labels.ts';
import { servingWait } from './shared.ts';
import { deploymentRef, type Recipe } from './types.ts';

const NAME = 'cilium-operator';
export const DEFAULT_CILIUM_REPLICAS = 3;

/** The replica count enable last set, recorded on the Deployment (an upgrade resets replicas, not this). */
export function enabledCiliumReplicas(annotations: Record<string, string> | undefined): number | undefined {
  const value = Number(annotations?.[ENABLED_REPLICAS_ANNOTATION]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

const scaled = (namespace: string, replicas: number, annotation: string | null, purpose: string) => ({
  object: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    // null removes the annotation (subset mode).
    metadata: { name: NAME, namespace, annotations: { [ENABLED_REPLICAS_ANNOTATION]: annotation } as Record<string, string> },
    spec: { replicas },
  },
  ref: deploymentRef(namespace, NAME),
  mode: 'subset' as const,
  owned: false,
  purpose,
});

export const ciliumOperator: Recipe = {
  component: 'cilium-operator',
  original: NAME,
  isEnabled: (view) => enabledCiliumReplicas(view.get(deploymentRef(view.namespace, NAME))?.metadata.annotations) !== undefined,
  refs: (namespace) => [deploymentRef(namespace, NAME)],

  enable(view, settings): DesiredState {
    const live = requireOriginal(view, deploymentRef(view.namespace, NAME));
    const replicas = settings.ciliumReplicas ?? enabledCiliumReplicas(live.metadata.annotations) ?? DEFAULT_CILIUM_REPLICAS;
    // Its required hostname anti-affinity puts at most one pod on a node.
    const nodes = view.nodes.filter(isSchedulable).length;
    if (replicas > nodes && !settings.force) {
      throw new PreflightError(
        `cilium-operator at ${replicas} replicas needs ${replicas} schedulable Ready nodes (one pod per node), ` +
          `the cluster has ${nodes}: the extra pods would stay Pending. Use --replicas ${Math.max(1, nodes)}, or --force.`,
      );
    }
    return {
      component: 'cilium-operator',
      warnings: replicas > nodes ? [`only ${nodes} schedulable nodes: ${replicas - nodes} cilium-operator pods will stay Pending`] : [],
      stages: [
        {
          objects: [scaled(view.namespace, replicas, String(replicas), `${replicas} operators, one leader elected`)],
          waitFor: replicas > nodes ? [] : [servingWait(view.namespace, NAME)],
        },
      ],
    };
  },

  disable(view): DesiredState {
    requireOriginal(view, deploymentRef(view.namespace, NAME));
    return {
      component: 'cilium-operator',
      warnings: [],
      stages: [{ objects: [scaled(view.namespace, 1, null, 'back to the single operator Kapsule ships')] }],
    };
  },
};
