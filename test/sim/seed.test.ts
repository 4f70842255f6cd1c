import { existsSync } from 'node:fs';
import { describe, expect, inject, test } from 'vitest';
import { onFreshSimulator } from './fresh-simulator.ts';
import { pollUntil } from './lib/settle.ts';

const api = onFreshSimulator();

const isReady = (object: any) => object.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

describe('the seeded Kapsule cluster', () => {
  test('is the one the global setup describes, through inject() and the environment', () => {
    const sim = inject('sim');
    expect(existsSync(sim.kubeconfig)).toBe(true);
    expect(process.env.KAPSULE_HA_SIM_KUBECONFIG).toBe(sim.kubeconfig);
    expect(sim.adminToken).not.toBe('');
  });

  test('has Ready nodes over 3 zones and 2 pools (9 by default), labelled and sized as Kapsule nodes', async () => {
    const { nodesPerZone } = inject('sim');
    const nodes = await api.list('/api/v1/nodes');
    expect(nodes).toHaveLength(3 * (nodesPerZone.default + nodesPerZone.autoscaled));
    expect(nodes.every(isReady)).toBe(true);
    const count = (key: string) => Object.groupBy(nodes, (node: any) => node.metadata.labels[key]);
    expect(Object.keys(count('topology.kubernetes.io/zone')).sort()).toEqual(['fr-par-1', 'fr-par-2', 'fr-par-3']);
    expect(Object.fromEntries(Object.entries(count('k8s.scaleway.com/pool-name')).map(([pool, list]) => [pool, list?.length]))).toEqual({ default: 3 * nodesPerZone.default, autoscaled: 3 * nodesPerZone.autoscaled });
    for (const node of nodes) {
      expect(node.metadata.name).toMatch(/^scw-kapsule-sim-(default|autoscaled)-[0-9a-f]{32}$/);
      expect(node.metadata.labels).toMatchObject({
        'kubernetes.io/hostname': node.metadata.name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/region': 'fr-par',
        'k8s.scaleway.com/managed': 'true',
        'node.kubernetes.io/instance-type': 'PRO2-XS',
      });
      expect(node.status.allocatable).toMatchObject({ cpu: '4', memory: '16Gi', pods: '110' });
      expect(node.spec.taints ?? []).toEqual([]);
    }
  });

  test('runs coredns, metrics-server and cilium-operator at 1 replica, Available, with the k8s.scw.cloud labels', async () => {
    const deployments = await api.list('/apis/apps/v1/namespaces/kube-system/deployments');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['cilium-operator', 'coredns', 'metrics-server']);
    for (const deployment of deployments) {
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.status.conditions).toContainEqual(expect.objectContaining({ type: 'Available', status: 'True' }));
      expect(deployment.metadata.labels['k8s.scw.cloud/object']).toBe('Deployment');
      expect(deployment.metadata.labels['k8s.scw.cloud/system']).toBeTruthy();
    }
  });

  test('lists the Ready coredns pod in the kube-dns EndpointSlice', async () => {
    const [pod] = await api.list('/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns');
    expect(isReady(pod)).toBe(true);
    const slices = await api.list('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns');
    const endpoints = slices.flatMap((slice) => slice.endpoints ?? []);
    expect(endpoints).toEqual([expect.objectContaining({ addresses: [pod.status.podIP], conditions: expect.objectContaining({ ready: true }), targetRef: expect.objectContaining({ name: pod.metadata.name }) })]);
  });

  test('has the coredns ConfigMap with a Corefile serving cluster.local and the kube-dns Service on 10.32.0.10', async () => {
    const { body: configMap } = await api.get('/api/v1/namespaces/kube-system/configmaps/coredns');
    expect(configMap.data.Corefile).toMatch(/kubernetes cluster\.local in-addr\.arpa ip6\.arpa/);
    expect(configMap.data.Corefile).toMatch(/cache 30/);
    const { body: service } = await api.get('/api/v1/namespaces/kube-system/services/kube-dns');
    expect(service.spec.clusterIP).toBe('10.32.0.10');
    expect(service.spec.selector).toEqual({ 'k8s-app': 'kube-dns' });
  });

  test('places 3 cilium-operator replicas on 3 distinct nodes (required hostname anti-affinity)', async () => {
    await api.request('PATCH', '/apis/apps/v1/namespaces/kube-system/deployments/cilium-operator/scale', { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
    let pods: any[] = [];
    await pollUntil('3 Ready cilium-operator pods', 30_000, async () => {
      pods = await api.list('/api/v1/namespaces/kube-system/pods?labelSelector=io.cilium%2Fapp%3Doperator');
      return pods.length === 3 && pods.every(isReady) ? undefined : `${pods.filter(isReady).length} Ready`;
    });
    expect(new Set(pods.map((pod) => pod.spec.nodeName)).size).toBe(3);
  });
});
