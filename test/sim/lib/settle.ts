// Waiting for the cluster to be what `up`, `reset` and `upgrade` promise.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from './api.ts';
import { forceDeletePods } from './cleanup.ts';

/** Polls `check` (which says what it still waits for, or undefined when done) until done or timeout. */
export async function pollUntil(what: string, timeoutMs: number, check: () => Promise<string | undefined>, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waitingFor: string | undefined = 'first check';
  while (Date.now() < deadline) {
    waitingFor = await check();
    if (waitingFor === undefined) return;
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not done after ${Math.round(timeoutMs / 1000)}s, still waiting for ${waitingFor}`);
}

export interface SettledTarget {
  nodeNames: string[];
  /** Seed Deployments by name (kube-system), with the replicas each must have. */
  deployments: string[];
  /** Namespaces being deleted, which must hold no pod (the namespace controller removes them later). */
  deletedNamespaces?: string[];
  /** kube-system must hold the seed Deployments' pods and no others (after a reset). */
  onlySeedPods?: boolean;
  /** kube-system Services whose EndpointSlices must list exactly their Ready pods (kube-dns…). */
  services?: string[];
  /**
   * Aggregated APIs that must be Available (v1beta1.metrics.k8s.io): while one is not, every
   * client's discovery fails for its group (kubectl prints errors), so no test starts before.
   */
  apiServices?: string[];
}

/**
 * Settled: every expected node Ready and no other node; each seed Deployment rolled
 * out and Available with all replicas Ready; no pod terminating in kube-system (and,
 * if asked, none there but the seed's); no pod left in the namespaces being deleted;
 * the given Services' EndpointSlices list exactly their Ready pods; the given APIServices Available.
 */
export async function waitUntilSettled(api: Api, target: SettledTarget, timeoutMs = 120_000): Promise<void> {
  await pollUntil('the simulator to settle', timeoutMs, async () => (await nodesWaiting(api, target.nodeNames)) ?? (await deploymentsWaiting(api, target.deployments, target.onlySeedPods ?? false)) ?? (await podsInDeletedNamespaces(api, target.deletedNamespaces ?? [])) ?? (await endpointsWaiting(api, target.services ?? [])) ?? (await apiServicesWaiting(api, target.apiServices ?? [])));
}

async function apiServicesWaiting(api: Api, names: string[]): Promise<string | undefined> {
  for (const name of names) {
    const { body } = await api.get(`/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
    const available = (body.status?.conditions ?? []).find((c: any) => c.type === 'Available');
    if (available?.status !== 'True') return `apiservice ${name} to be Available (${available?.reason ?? 'no condition yet'})`;
  }
  return undefined;
}

async function nodesWaiting(api: Api, names: string[]): Promise<string | undefined> {
  const nodes = await api.list('/api/v1/nodes');
  if (nodes.length !== names.length) return `${names.length} nodes (there are ${nodes.length})`;
  const notReady = nodes.filter((node) => !node.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
  return notReady.length > 0 ? `${notReady.length} nodes to be Ready (e.g. ${notReady[0].metadata.name})` : undefined;
}

async function deploymentsWaiting(api: Api, names: string[], onlySeedPods: boolean): Promise<string | undefined> {
  const deployments = await api.list('/apis/apps/v1/namespaces/kube-system/deployments');
  let expectedPods = 0;
  for (const name of names) {
    const deployment = deployments.find((d) => d.metadata.name === name);
    if (!deployment) return `deployment ${name} to exist`;
    const want = deployment.spec.replicas ?? 1;
    const s = deployment.status ?? {};
    const rolledOut = (s.observedGeneration ?? 0) >= deployment.metadata.generation && (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want;
    const ready = (s.readyReplicas ?? 0) === want && (s.availableReplicas ?? 0) === want;
    if (!rolledOut || !ready) return `deployment ${name} to have ${want} updated, ready, available replicas`;
    expectedPods += want;
  }
  const pods = await api.list('/api/v1/namespaces/kube-system/pods');
  const terminating = pods.filter((pod) => pod.metadata.deletionTimestamp);
  if (terminating.length > 0) return `${terminating.length} terminating pods in kube-system to go`;
  if (onlySeedPods && pods.length !== expectedPods) return `kube-system to hold only the seed's ${expectedPods} pods (it has ${pods.length})`;
  return undefined;
}

async function podsInDeletedNamespaces(api: Api, namespaces: string[]): Promise<string | undefined> {
  for (const ns of namespaces) {
    const pods = await api.list(`/api/v1/namespaces/${ns}/pods`);
    if (pods.length > 0) {
      // One made in the moment before the namespace was seen Terminating: delete it too.
      await forceDeletePods(api, [ns]);
      return `pods in deleted namespace ${ns} to go`;
    }
  }
  return undefined;
}

/** Each Service's EndpointSlices hold exactly the IPs of the Ready pods it selects, all ready, and nothing else. */
async function endpointsWaiting(api: Api, services: string[]): Promise<string | undefined> {
  for (const name of services) {
    const { body: service } = await api.get(`/api/v1/namespaces/kube-system/services/${name}`);
    const selector = Object.entries<string>(service.spec.selector ?? {}).map(([key, value]) => `${key}=${value}`).join(',');
    const pods = await api.list(`/api/v1/namespaces/kube-system/pods?labelSelector=${encodeURIComponent(selector)}`);
    const readyIps = pods.filter((pod) => pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).map((pod) => pod.status.podIP as string);
    const slices = await api.list(`/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${name}`)}`);
    // Every endpoint, terminating ones included: the controller drops a deleted pod's endpoint a moment after the pod.
    const listed = slices.flatMap((slice) => (slice.endpoints ?? []).filter((e: any) => e.conditions?.ready).flatMap((e: any) => e.addresses as string[]));
    const all = slices.flatMap((slice) => slice.endpoints ?? []);
    if (all.length !== readyIps.length || listed.length !== readyIps.length || !readyIps.every((ip) => listed.includes(ip))) return `the ${name} EndpointSlices to list exactly its ${readyIps.length} Ready pods`;
  }
  return undefined;
}
