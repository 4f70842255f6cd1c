import type { KubeObject, PodSpec } from '../kube/types.ts';
import type { ClusterView, DesiredObject } from '../engine/types.ts';
import {
  DEFAULT_LINEAR_PARAMS,
  autoscalerDesired,
  autoscalerObjects,
  autoscalerRefs,
  linearReplicas,
  liveLinearParams,
  type LinearParams,
} from './autoscaler.ts';
import { readyZoneCount, requireNoOtherPdb, requireOriginal, requireRunningOrCopied, resolvePools } from './checks.ts';
import { copyDeployment, deploymentSpec, mainContainer, neatCopy, renameConfigMapVolumes } from './copy.ts';
import { applyPools, zoneSpread } from './placement.ts';
import { copyPdb, hasOurCopy, removals, scaledOriginal, servingWait } from './shared.ts';
import { configMapRef, deploymentRef, pdbRef, serviceRef, type EnableSettings, type Recipe } from './types.ts';

const ORIGINAL = 'coredns';
const COPY = 'coredns-ha';
const SERVICE = 'kube-dns';

function linearParams(view: ClusterView, settings: EnableSettings): LinearParams {
  const live = liveLinearParams(view);
  const maxReplicas = settings.maxReplicas ?? live?.max;
  return {
    coresPerReplica: settings.coresPerReplica ?? live?.coresPerReplica ?? DEFAULT_LINEAR_PARAMS.coresPerReplica,
    nodesPerReplica: settings.nodesPerReplica ?? live?.nodesPerReplica ?? DEFAULT_LINEAR_PARAMS.nodesPerReplica,
    // One replica per zone (up to 3), so that every zone can hold one.
    min: settings.minReplicas ?? live?.min ?? Math.max(1, Math.min(3, readyZoneCount(view))),
    ...(maxReplicas ? { max: maxReplicas } : {}),
    preventSinglePointFailure: true,
    includeUnschedulableNodes: true,
  };
}

/**
 * How often a copy's /ready is probed: CoreDNS fails /ready the moment it is told to stop and
 * then answers through its `lameduck` (5 s on Kapsule). Probed every second (two failures), a
 * stopping copy pod stops serving within its lameduck, so kube-proxy clears the conntrack
 * flows still pinned to it (a client reusing a source port) while it still answers; at the
 * original's 10 s it would stop serving only once it had exited, and a query on such a flow
 * in between would be lost.
 */
const COPY_READINESS = { periodSeconds: 1, failureThreshold: 2 } as const;

/** The CoreDNS container's readiness probe, probed at least as often as COPY_READINESS says. */
function withPromptReadiness(podSpec: PodSpec): void {
  const container = mainContainer(podSpec, 'coredns');
  const probe = container?.readinessProbe as Record<string, unknown> | undefined;
  if (!container || !probe) return;
  const atMost = (value: unknown, fallback: number, limit: number) => Math.min(typeof value === 'number' ? value : fallback, limit);
  container.readinessProbe = {
    ...probe,
    periodSeconds: atMost(probe.periodSeconds, 10, COPY_READINESS.periodSeconds),
    failureThreshold: atMost(probe.failureThreshold, 3, COPY_READINESS.failureThreshold),
  };
}

function copyOfDeployment(source: KubeObject, pools: string[], replicas: number): KubeObject {
  const copy = copyDeployment(source, COPY);
  const spec = deploymentSpec(copy);
  renameConfigMapVolumes(spec.template.spec, ORIGINAL, COPY);
  spec.template.spec.topologySpreadConstraints = [zoneSpread(COPY)];
  applyPools(spec.template.spec, pools);
  withPromptReadiness(spec.template.spec);
  spec.replicas = replicas;
  return copy;
}


/** Everything enable created for coredns, the autoscaler first (the engine deletes one stage's objects together). */
const ownedRemovals = (namespace: string): DesiredObject[] =>
  removals([
    ...autoscalerRefs(namespace)
      .reverse()
      .map((ref) => ({ ref, purpose: `${ref.kind} of the proportional DNS autoscaler` })),
    { ref: pdbRef(namespace, COPY), purpose: 'limits disruptions of coredns-ha' },
    { ref: deploymentRef(namespace, COPY), purpose: 'the HA copy of coredns' },
    { ref: configMapRef(namespace, COPY), purpose: 'the Corefile of coredns-ha' },
  ]);

export const coredns: Recipe = {
  component: 'coredns',
  original: ORIGINAL,
  copy: COPY,
  isEnabled: (view) => hasOurCopy(view, COPY),
  refs: (namespace) => [
    deploymentRef(namespace, ORIGINAL),
    configMapRef(namespace, ORIGINAL),
    serviceRef(namespace, SERVICE),
    configMapRef(namespace, COPY),
    deploymentRef(namespace, COPY),
    pdbRef(namespace, COPY),
    ...autoscalerRefs(namespace),
  ],

  enable(view, settings) {
    const { namespace } = view;
    const source = requireOriginal(view, deploymentRef(namespace, ORIGINAL));
    const sourceConfig = requireOriginal(view, configMapRef(namespace, ORIGINAL));
    const liveCopy = view.get(deploymentRef(namespace, COPY));
    requireRunningOrCopied(view, source, deploymentRef(namespace, COPY));
    const { pools, warnings } = resolvePools(view, settings.pools, liveCopy);
    const params = linearParams(view, settings);
    const copy = copyOfDeployment(source, pools, linearReplicas(params, view.nodes));
    requireNoOtherPdb(view, deploymentSpec(copy).template.metadata?.labels ?? {}, COPY);
    return {
      component: 'coredns',
      warnings,
      stages: [
        {
          objects: [
            { object: neatCopy(sourceConfig, COPY), ref: configMapRef(namespace, COPY), mode: 'exact', owned: true, purpose: 'the Corefile of coredns-ha' },
            // Once the copy exists its replica count belongs to the autoscaler.
            { object: copy, ref: deploymentRef(namespace, COPY), mode: 'exact', owned: true, keepLive: liveCopy ? ['/spec/replicas'] : [], purpose: 'the HA copy of coredns' },
            { object: copyPdb(namespace, COPY, { maxUnavailable: 1 }), ref: pdbRef(namespace, COPY), mode: 'subset', owned: true, purpose: 'limits disruptions of coredns-ha' },
            ...autoscalerDesired(autoscalerObjects(namespace, COPY, params, pools)),
          ],
          waitFor: [servingWait(namespace, COPY, SERVICE)],
        },
        { objects: [scaledOriginal(namespace, ORIGINAL, 0, 'coredns-ha serves DNS in its place')] },
      ],
    };
  },

  disable(view) {
    const { namespace } = view;
    const source = requireOriginal(view, deploymentRef(namespace, ORIGINAL));
    return {
      component: 'coredns',
      warnings: [],
      stages: [
        {
          objects: [scaledOriginal(namespace, ORIGINAL, Math.max(1, deploymentSpec(source).replicas ?? 0), 'serves DNS again')],
          waitFor: [servingWait(namespace, ORIGINAL, SERVICE)],
        },
        { objects: ownedRemovals(namespace) },
      ],
    };
  },
};

