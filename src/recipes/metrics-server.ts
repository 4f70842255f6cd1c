import type { KubeObject, PodSpec } from '../kube/types.ts';
import type { ClusterView, DesiredState, WaitFor } from '../engine/types.ts';
import { requireNoOtherPdb, requireOriginal, requireRunningOrCopied, resolvePools } from './checks.ts';
import { copyDeployment, deploymentSpec, mainContainer } from './copy.ts';
import { applyPools, preferredHostAntiAffinity, zoneSpread } from './placement.ts';
import { copyPdb, hasOurCopy, removals, scaledOriginal, servingWait } from './shared.ts';
import { apiServiceRef, deploymentRef, pdbRef, serviceRef, type Recipe } from './types.ts';

const ORIGINAL = 'metrics-server';
const COPY = 'metrics-server-ha';
const REPLICAS = 2;
/** The metrics API (kubectl top, every HPA) that metrics-server serves through the aggregation layer. */
export const METRICS_API = 'v1beta1.metrics.k8s.io';

/**
 * What the other side waits for before it stops: the pods ready endpoints of the Service the
 * API server sends metrics.k8s.io to, and that APIService Available. Without an APIService of
 * ours to follow (a cluster without the metrics API, or one served from elsewhere), the
 * original Service only.
 */
function metricsServingWait(view: ClusterView, deployment: string): WaitFor {
  const { namespace } = view;
  const target = (view.get(apiServiceRef(METRICS_API))?.spec as { service?: { namespace?: string; name?: string } } | undefined)?.service;
  if (target?.name && target.namespace === namespace && view.get(serviceRef(namespace, target.name))) {
    return servingWait(namespace, deployment, target.name, METRICS_API);
  }
  return servingWait(namespace, deployment, view.get(serviceRef(namespace, ORIGINAL)) ? ORIGINAL : undefined);
}

/**
 * How long a copy's pod keeps serving after it is told to stop (its /readyz failing at once):
 * until the EndpointSlice and kube-proxy have dropped it, so that a request the API server
 * sends its way is still answered. Without it a rollout, a drain or `disable` fails the
 * metrics API for up to a second (measured in the simulator). Within the default 30 s grace period.
 */
export const SHUTDOWN_DELAY_FLAG = '--shutdown-delay-duration';
const SHUTDOWN_DELAY = `${SHUTDOWN_DELAY_FLAG}=10s`;

/** The metrics-server container keeps serving for a while after SIGTERM, unless the original already says how long. */
function withShutdownDelay(podSpec: PodSpec): void {
  const container = mainContainer(podSpec, 'metrics-server');
  if (!container) return;
  const given = [...(container.command ?? []), ...(container.args ?? [])].some((arg) => arg === SHUTDOWN_DELAY_FLAG || arg.startsWith(`${SHUTDOWN_DELAY_FLAG}=`));
  if (!given) container.args = [...(container.args ?? []), SHUTDOWN_DELAY];
}

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
  withShutdownDelay(podSpec);
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
    apiServiceRef(METRICS_API),
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
    return {
      component: 'metrics-server',
      warnings,
      stages: [
        {
          objects: [
            { object: copy, ref: deploymentRef(namespace, COPY), mode: 'exact', owned: true, purpose: 'the HA copy of metrics-server' },
            { object: copyPdb(namespace, COPY, { minAvailable: 1 }), ref: pdbRef(namespace, COPY), mode: 'subset', owned: true, purpose: 'keeps one metrics-server-ha pod up' },
          ],
          waitFor: [metricsServingWait(view, COPY)],
        },
        { objects: [scaledOriginal(namespace, ORIGINAL, 0, 'metrics-server-ha serves metrics in its place')] },
      ],
    };
  },

  disable(view): DesiredState {
    const { namespace } = view;
    const source = requireOriginal(view, deploymentRef(namespace, ORIGINAL));
    return {
      component: 'metrics-server',
      warnings: [],
      stages: [
        {
          objects: [scaledOriginal(namespace, ORIGINAL, Math.max(1, deploymentSpec(source).replicas ?? 0), 'serves metrics again')],
          waitFor: [metricsServingWait(view, ORIGINAL)],
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
