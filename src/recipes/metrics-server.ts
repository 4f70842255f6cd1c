import type { KubeObject } from '../kube/types.ts';
import type { DesiredState } from '../engine/types.ts';
import { requireNoOtherPdb, requireOriginal, requireRunningOrCopied, resolvePools } from './checks.ts';
import { copyDeployment, deploymentSpec } from './copy.ts';
import { applyPools, preferredHostAntiAffinity, zoneSpread } from './placement.ts';
import { copyPdb, hasOurCopy, removals, scaledOriginal, servingWait } from './shared.ts';
import { deploymentRef, pdbRef, serviceRef, type Recipe } from './types.ts';

const ORIGINAL = 'metrics-server';
const COPY = 'metrics-server-ha';
const REPLICAS = 2;

/** The guide's metrics-server-patch.yaml: 2 replicas, one down at a time, spread over zones and hosts. */
function copyOfDeployment(source: KubeObject, pools: string[]): KubeObject {
  const copy = copyDeployment(source, COPY);
  const spec = deploymentSpec(copy);
  spec.replicas = REPLICAS;
  const rollingUpdate = (spec.strategy?.rollingUpdate ?? {}) as Record<string, unknown>;
  spec.strategy = { type: 'RollingUpdate', rollingUpdate: { ...rollingUpdate, maxUnavailable: 1 } };
  const podSpec = spec.template.spec;
  podSpec.topologySpreadConstraints = [zoneSpread(COPY)];
  podSpec.affinity = { ...podSpec.affinity, podAntiAffinity: preferredHostAntiAffinity(COPY) };
  applyPools(podSpec, pools);
  return copy;
}


export const metricsServer: Recipe = {
  component: 'metrics-server',
  original: ORIGINAL,
  copy: COPY,
  isEnabled: (view) => hasOurCopy(view, COPY),
  refs: (namespace) => [
    deploymentRef(namespace, ORIGINAL),
    serviceRef(namespace, ORIGINAL),
    deploymentRef(namespace, COPY),
    pdbRef(namespace, COPY),
  ],

  enable(view, settings): DesiredState {
    const { namespace } = view;
    const source = requireOriginal(view, deploymentRef(namespace, ORIGINAL));
    requireRunningOrCopied(view, source, deploymentRef(namespace, COPY));
    const { pools, warnings } = resolvePools(view, settings.pools, view.get(deploymentRef(namespace, COPY)));
    const copy = copyOfDeployment(source, pools);
    requireNoOtherPdb(view, deploymentSpec(copy).template.metadata?.labels ?? {}, COPY);
    const service = view.get(serviceRef(namespace, ORIGINAL)) ? ORIGINAL : undefined;
    return {
      component: 'metrics-server',
      warnings,
      stages: [
        {
          objects: [
            { object: copy, ref: deploymentRef(namespace, COPY), mode: 'exact', owned: true, purpose: 'the HA copy of metrics-server' },
            { object: copyPdb(namespace, COPY, { minAvailable: 1 }), ref: pdbRef(namespace, COPY), mode: 'subset', owned: true, purpose: 'keeps one metrics-server-ha pod up' },
          ],
          waitFor: [servingWait(namespace, COPY, service)],
        },
        { objects: [scaledOriginal(namespace, ORIGINAL, 0, 'metrics-server-ha serves metrics in its place')] },
      ],
    };
  },

  disable(view): DesiredState {
    const { namespace } = view;
    const source = requireOriginal(view, deploymentRef(namespace, ORIGINAL));
    const service = view.get(serviceRef(namespace, ORIGINAL)) ? ORIGINAL : undefined;
    return {
      component: 'metrics-server',
      warnings: [],
      stages: [
        {
          objects: [scaledOriginal(namespace, ORIGINAL, Math.max(1, deploymentSpec(source).replicas ?? 0), 'serves metrics again')],
          waitFor: [servingWait(namespace, ORIGINAL, service)],
        },
        {
          objects: removals([
            { ref: pdbRef(namespace, COPY), purpose: 'keeps one metrics-server-ha pod up' },
            { ref: deploymentRef(namespace, COPY), purpose: 'the HA copy of metrics-server' },
          ]),
        },
      ],
    };
  },
};
