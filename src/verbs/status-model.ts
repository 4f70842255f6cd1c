// status's model, built first and rendered second: what runs where, and how HA it is.
import type { Snapshot } from '../engine/read.ts';
import type { DeploymentSpec, KubeObject, PodSpec } from '../kube/types.ts';
import { linearReplicas, liveLinearParams, type LinearParams } from '../recipes/autoscaler.ts';
import { allocatableCores, isReady, poolOf, zoneOf, zonesOf } from '../recipes/cluster.ts';
import { isOurs } from '../engine/ownership.ts';
import { deploymentOfPod, isPodReady } from '../engine/deployment-pods.ts';
import { pinnedPools } from '../recipes/placement.ts';
import { selectorMatches, type LabelSelector } from '../kube/selector.ts';
import { apiServiceRef, deploymentRef } from '../recipes/types.ts';
import { METRICS_API } from '../recipes/metrics-server.ts';
import { apiServiceAvailability } from '../engine/serving-check.ts';
import { RECIPES } from '../recipes/index.ts';
import type { Component } from './options.ts';
import type { GuardStatus } from './guard-state.ts';

export interface PodStatus {
  name: string;
  deployment: string;
  node: string | null;
  zone: string | null;
  ready: boolean;
  phase: string;
  /** Container restarts, summed: a copy that crashes or fails its liveness probe shows here. */
  restarts: number;
  /** Why a container is not running (CrashLoopBackOff, Error…), as kubectl get pods shows it; null when running. */
  reason: string | null;
}

export interface Finding {
  severity: 'info' | 'warning' | 'error';
  message: string;
}

/** The aggregated API a component serves (metrics-server: v1beta1.metrics.k8s.io), as the API server judges it. */
export interface ApiServiceStatus {
  name: string;
  found: boolean;
  /** The APIService's Available condition: the API server reaches a ready endpoint of its Service. */
  available: boolean;
  /** namespace/name of the Service it is served through; null when absent or served locally. */
  service: string | null;
  reason: string | null;
  message: string | null;
}

export interface ComponentStatus {
  component: Component;
  /** ha: the copy (or, for cilium-operator, the scaled operator) serves; original: as Kapsule ships it. */
  form: 'ha' | 'original';
  deployments: { name: string; desired: number; ready: number }[];
  pods: PodStatus[];
  zones: string[];
  podDisruptionBudget: { name: string; disruptionsAllowed: number } | null;
  pinnedPools: string[];
  autoscaler: { params: LinearParams; replicas: number; nodes: number; cores: number } | null;
  drift: boolean | null;
  /** metrics-server only: its APIService; null for the other components. */
  apiService: ApiServiceStatus | null;
  findings: Finding[];
}

export interface StatusReport {
  apiVersion: 'kapsule-ha/v1';
  kind: 'Status';
  cluster: { nodes: number; readyNodes: number; zones: string[]; pools: string[] };
  components: ComponentStatus[];
  /** The in-cluster guard (`guard`) when installed and this user may read it; single-cluster status only. */
  guard?: GuardStatus;
}

/** The Deployments whose pods status looks at: the original and, where there is one, our copy. */
export function deploymentsOf(component: Component, snapshot: Snapshot): KubeObject[] {
  const { original, copy } = RECIPES[component];
  const live = (name: string) => snapshot.view.get(deploymentRef(snapshot.view.namespace, name));
  const ours = copy ? live(copy) : undefined;
  return [live(original), isOurs(ours?.metadata.labels) ? ours : undefined].filter((deployment): deployment is KubeObject => deployment !== undefined);
}

const specOf = (deployment: KubeObject) => deployment.spec as DeploymentSpec;

interface ContainerStatus {
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}

export function podStatus(pod: KubeObject, deployment: string, nodes: Map<string, KubeObject>): PodStatus {
  const nodeName = (pod.spec as { nodeName?: string }).nodeName ?? null;
  const node = nodeName ? nodes.get(nodeName) : undefined;
  const status = pod.status as { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: ContainerStatus[] } | undefined;
  const containers = status?.containerStatuses ?? [];
  const notRunning = containers.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find((reason) => reason !== undefined);
  return {
    name: pod.metadata.name,
    deployment,
    node: nodeName,
    zone: (node && zoneOf(node)) ?? null,
    ready: isPodReady(pod),
    phase: pod.metadata.deletionTimestamp ? 'Terminating' : (status?.phase ?? 'Unknown'),
    restarts: containers.reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    reason: notRunning ?? null,
  };
}

/** Pods of each deployment (engine/deployment-pods.ts decides which are whose). */
function podsOf(deployments: KubeObject[], pods: KubeObject[], nodes: Map<string, KubeObject>): PodStatus[] {
  return pods.flatMap((pod) => {
    const owner = deploymentOfPod(pod, deployments);
    return owner ? [podStatus(pod, owner.metadata.name, nodes)] : [];
  });
}

function autoscalerOf(component: Component, snapshot: Snapshot): ComponentStatus['autoscaler'] {
  if (component !== 'coredns') return null;
  const params = liveLinearParams(snapshot.view);
  if (!params) return null;
  const nodes = snapshot.view.nodes;
  return {
    params,
    replicas: linearReplicas(params, nodes),
    nodes: nodes.length,
    cores: nodes.reduce((sum, node) => sum + allocatableCores(node), 0),
  };
}

function apiServiceOf(component: Component, snapshot: Snapshot): ApiServiceStatus | null {
  if (component !== 'metrics-server') return null;
  const apiService = snapshot.view.get(apiServiceRef(METRICS_API));
  if (!apiService) return { name: METRICS_API, found: false, available: false, service: null, reason: null, message: null };
  const service = (apiService.spec as { service?: { namespace?: string; name?: string } } | undefined)?.service;
  return {
    name: METRICS_API,
    found: true,
    ...apiServiceAvailability(apiService),
    service: service?.name ? `${service.namespace}/${service.name}` : null,
  };
}

function findingsOf(status: Omit<ComponentStatus, 'findings'>, clusterZones: string[], snapshot: Snapshot): Finding[] {
  const findings: Finding[] = [];
  const ready = status.pods.filter((pod) => pod.ready);
  const serving = status.deployments.filter((deployment) => deployment.desired > 0);
  if (ready.length < 2) findings.push({ severity: 'warning', message: `single replica: losing one node or pod stops ${status.component}` });
  if (clusterZones.length > 1 && status.zones.length === 1) {
    findings.push({ severity: 'warning', message: `single zone: every Ready pod is in ${status.zones[0]}` });
  }
  if (status.component !== 'cilium-operator' && !status.podDisruptionBudget) {
    findings.push({ severity: 'warning', message: 'no PodDisruptionBudget: a node drain may evict every pod at once' });
  }
  const pending = status.pods.filter((pod) => pod.phase === 'Pending');
  if (pending.length > 0) findings.push({ severity: 'error', message: `${pending.length} pod(s) Pending: ${pending.map((pod) => pod.name).join(', ')}` });
  if (serving.length > 1) {
    findings.push({ severity: 'warning', message: `${serving.map((d) => d.name).join(' and ')} both run: two sets of pods behind one Service` });
  }
  if (status.pinnedPools.length > 0) {
    const readyNodes = snapshot.view.nodes.filter(isReady);
    const empty = status.pinnedPools.filter((pool) => !readyNodes.some((node) => poolOf(node) === pool));
    if (empty.length > 0) findings.push({ severity: 'error', message: `pinned to pool(s) without a Ready node: ${empty.join(', ')}` });
  }
  const api = status.apiService;
  if (api && !api.found) findings.push({ severity: 'warning', message: `no apiservice/${api.name}: kubectl top and HorizontalPodAutoscalers have no metrics API` });
  if (api?.found && !api.available) {
    findings.push({ severity: 'error', message: `apiservice/${api.name} not Available${api.reason ? ` (${api.reason})` : ''}: kubectl top and HorizontalPodAutoscalers get no metrics` });
  }
  if (status.drift) findings.push({ severity: 'warning', message: `drift from the original: run kubectl kapsule-ha check-drift ${status.component}` });
  return findings;
}

export function componentStatus(
  component: Component,
  snapshot: Snapshot,
  pods: KubeObject[],
  drift: boolean | null,
  enabled: boolean,
): ComponentStatus {
  const deployments = deploymentsOf(component, snapshot);
  const nodes = new Map(snapshot.view.nodes.map((node) => [node.metadata.name, node]));
  const podList = podsOf(deployments, pods, nodes);
  const copy = deployments.find((deployment) => isOurs(deployment.metadata.labels));
  const pdb = snapshot.view.podDisruptionBudgets.find((candidate) => {
    const selector = (candidate.spec as { selector?: LabelSelector }).selector;
    return podList.some((pod) => pod.ready && selectorMatches(selector, pods.find((p) => p.metadata.name === pod.name)?.metadata.labels ?? {}));
  });
  const base = {
    component,
    form: enabled ? ('ha' as const) : ('original' as const),
    deployments: deployments.map((deployment) => ({
      name: deployment.metadata.name,
      desired: specOf(deployment).replicas ?? 1,
      ready: (deployment.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0,
    })),
    pods: podList,
    zones: [...new Set(podList.filter((pod) => pod.ready && pod.zone).map((pod) => pod.zone!))].sort(),
    podDisruptionBudget: pdb
      ? { name: pdb.metadata.name, disruptionsAllowed: (pdb.status as { disruptionsAllowed?: number } | undefined)?.disruptionsAllowed ?? 0 }
      : null,
    pinnedPools: copy ? pinnedPools((specOf(copy).template.spec as PodSpec)) : [],
    autoscaler: autoscalerOf(component, snapshot),
    drift,
    apiService: apiServiceOf(component, snapshot),
  };
  return { ...base, findings: findingsOf(base, zonesOf(snapshot.view.nodes), snapshot) };
}
