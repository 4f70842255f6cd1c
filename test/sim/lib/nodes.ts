// Fake Kapsule nodes: named, labelled and sized as Kapsule's, run by kwok.
import { createHash } from 'node:crypto';
import { inParallel, type Api } from './api.ts';
import { kwokNodeAnnotation, resourceMetricsPath, resourceMetricsPathAnnotation } from './config-files.ts';
import { cluster, versions } from './layout.ts';

export interface NodesPerZone {
  default: number;
  autoscaled: number;
}

export const defaultShape: NodesPerZone = { default: 1, autoscaled: 2 };

interface Pool {
  name: keyof NodesPerZone;
  instanceType: string;
}

// Both pools on PRO2-XS (4 vCPU, 16 GB): the numbers an autoscaler counts stay round.
const pools: Pool[] = [
  { name: 'default', instanceType: 'PRO2-XS' },
  { name: 'autoscaled', instanceType: 'PRO2-XS' },
];

const capacity = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '50Gi' };

export function desiredNodes(shape: NodesPerZone, zones: readonly string[] = cluster.zones): any[] {
  const nodes: any[] = [];
  let ordinal = 0;
  for (const pool of pools) {
    for (const zone of zones) {
      for (let index = 0; index < shape[pool.name]; index++) {
        nodes.push(nodeObject(pool, zone, index, ordinal++));
      }
    }
  }
  return nodes;
}

function nodeObject(pool: Pool, zone: string, index: number, ordinal: number): any {
  const id = (what: string) => createHash('sha256').update(`${cluster.id}/${pool.name}/${zone}/${index}/${what}`).digest('hex');
  const uuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  const name = `scw-${cluster.name}-${pool.name}-${id('name').slice(0, 32)}`;
  const ip = `172.16.${1 + Math.floor(ordinal / 250)}.${10 + (ordinal % 250)}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: nodeLabels(name, pool, zone, poolId(pool)),
      annotations: {
        [kwokNodeAnnotation.key]: kwokNodeAnnotation.value,
        'node.alpha.kubernetes.io/ttl': '0',
        [resourceMetricsPathAnnotation]: resourceMetricsPath(name),
      },
    },
    spec: { providerID: `scaleway://instance/${zone}/${uuid(id('instance'))}` },
    status: {
      capacity,
      allocatable: capacity,
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'Ubuntu 24.04.2 LTS',
        kernelVersion: '6.8.0-60-generic',
        containerRuntimeVersion: 'containerd://1.7.27',
        kubeletVersion: versions.kubernetes,
        kubeProxyVersion: '',
        machineID: id('machine').slice(0, 32),
        systemUUID: uuid(id('instance')),
        bootID: uuid(id('boot')),
      },
    },
  };
}

function poolId(pool: Pool): string {
  const hex = createHash('sha256').update(`${cluster.id}/pool/${pool.name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function nodeLabels(name: string, pool: Pool, zone: string, id: string): Record<string, string> {
  return {
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': name,
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/instance-type': pool.instanceType,
    'node.kubernetes.io/instance-type': pool.instanceType,
    'topology.kubernetes.io/region': cluster.region,
    'topology.kubernetes.io/zone': zone,
    'failure-domain.beta.kubernetes.io/region': cluster.region,
    'failure-domain.beta.kubernetes.io/zone': zone,
    'k8s.scaleway.com/kapsule': cluster.id,
    'k8s.scaleway.com/managed': 'true',
    'k8s.scaleway.com/pool-name': pool.name,
    'k8s.scaleway.com/pool': id,
    'k8s.scaleway.com/runtime': 'containerd',
  };
}

/**
 * Makes the cluster's nodes exactly `desired`: creates the missing ones, deletes the
 * others (and force-deletes their pods, which no kubelet will ever report gone), and
 * puts back labels, taints and schedulability that tests changed.
 */
export async function reconcileNodes(api: Api, desired: any[]): Promise<{ created: number; deleted: number; repaired: number }> {
  const live = await api.list('/api/v1/nodes');
  const liveByName = new Map(live.map((node) => [node.metadata.name as string, node]));
  const wanted = new Set(desired.map((node) => node.metadata.name as string));
  const missing = desired.filter((node) => !liveByName.has(node.metadata.name));
  const extra = live.filter((node) => !wanted.has(node.metadata.name));
  const drifted = desired.flatMap((node) => {
    const current = liveByName.get(node.metadata.name);
    const patch = current && repairPatch(current, node);
    return patch ? [{ name: node.metadata.name as string, patch }] : [];
  });

  await inParallel(missing, 32, async (node) => {
    await api.request('POST', '/api/v1/nodes', { body: node, accept: [409] });
  });
  await inParallel(extra, 32, async (node) => {
    await api.request('DELETE', `/api/v1/nodes/${node.metadata.name}`, { accept: [404] });
  });
  if (extra.length > 0) await deletePodsOnMissingNodes(api, wanted);
  await inParallel(drifted, 32, async ({ name, patch }) => {
    await api.request('PATCH', `/api/v1/nodes/${name}`, { body: patch, contentType: 'application/merge-patch+json' });
  });
  return { created: missing.length, deleted: extra.length, repaired: drifted.length };
}

/** A merge patch that restores labels, taints and schedulability; undefined when nothing drifted. */
function repairPatch(current: any, desired: any): object | undefined {
  const labels: Record<string, string | null> = {};
  const currentLabels: Record<string, string> = current.metadata.labels ?? {};
  for (const key of Object.keys(currentLabels)) if (!(key in desired.metadata.labels)) labels[key] = null;
  for (const [key, value] of Object.entries<string>(desired.metadata.labels)) if (currentLabels[key] !== value) labels[key] = value;
  // Only the taints kube-controller-manager puts on a node that is not ready are its own to keep.
  const taints: any[] = current.spec.taints ?? [];
  const foreignTaints = taints.filter((taint) => !taint.key.startsWith('node.kubernetes.io/'));
  const patch: any = {};
  if (Object.keys(labels).length > 0) patch.metadata = { labels };
  if (current.spec.unschedulable) patch.spec = { unschedulable: null };
  if (foreignTaints.length > 0) {
    const kept = taints.filter((taint) => taint.key.startsWith('node.kubernetes.io/'));
    patch.spec = { ...patch.spec, taints: kept.length > 0 ? kept : null };
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

async function deletePodsOnMissingNodes(api: Api, nodeNames: Set<string>): Promise<void> {
  const pods = await api.list('/api/v1/pods');
  const orphans = pods.filter((pod) => pod.spec.nodeName && !nodeNames.has(pod.spec.nodeName));
  await inParallel(orphans, 32, async (pod) => {
    await api.request('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { body: { gracePeriodSeconds: 0 }, accept: [404] });
  });
}

/** Node names that are Ready, by name. */
export async function readyNodeNames(api: Api): Promise<Set<string>> {
  const nodes = await api.list('/api/v1/nodes');
  return new Set(nodes.filter((node) => node.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).map((node) => node.metadata.name));
}
