import { beforeAll, describe, expect, it } from 'vitest';
import { auditOffset, kubeSystem, plugin, pluginRequests, sim, watchEndpoints } from '../lib/plugin.ts';

const readyPods = async (selector: string) =>
  (((await kubeSystem('pods', '-l', selector))?.items ?? []) as any[]).filter(
    (pod) => !pod.metadata.deletionTimestamp && pod.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
  );

async function zonesOf(pods: any[]): Promise<string[]> {
  const nodes = (await sim.kubectl(['get', 'nodes', '-o', 'json'])).stdout;
  const zoneByNode = new Map((JSON.parse(nodes).items as any[]).map((n) => [n.metadata.name, n.metadata.labels['topology.kubernetes.io/zone']]));
  return [...new Set(pods.map((pod) => zoneByNode.get(pod.spec.nodeName) as string))].sort();
}

/** kube-system as a user would compare it: what each object is, without server bookkeeping. */
async function kubeSystemShape() {
  const shape: Record<string, unknown> = {};
  for (const kind of ['deployments', 'configmaps', 'services', 'poddisruptionbudgets', 'serviceaccounts', 'roles', 'rolebindings']) {
    for (const object of (await kubeSystem(kind)).items as any[]) {
      if (kind === 'configmaps' && object.metadata.name === 'kube-root-ca.crt') continue;
      const { annotations = {} } = object.metadata;
      delete annotations['deployment.kubernetes.io/revision'];
      shape[`${kind}/${object.metadata.name}`] = {
        labels: object.metadata.labels,
        annotations,
        spec: object.spec,
        data: object.data,
        rules: object.rules,
      };
    }
  }
  for (const kind of ['clusterroles', 'clusterrolebindings']) {
    for (const object of (await getAll(kind)) as any[]) shape[`${kind}/${object.metadata.name}`] = object.metadata.labels ?? {};
  }
  return shape;
}
const getAll = async (kind: string) => JSON.parse((await sim.kubectl(['get', kind, '-o', 'json'])).stdout).items;

describe('enable all, then disable all, on the simulated Kapsule cluster', () => {
  let seeded: Record<string, unknown>;

  beforeAll(async () => {
    await sim.reset();
    seeded = await kubeSystemShape();
  });

  it('enable all --yes makes every component HA without a moment without a DNS endpoint', async () => {
    const watch = await watchEndpoints();
    const result = await plugin(['enable', 'all', '--yes']);
    const { minReady, events } = await watch.stop();
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(events).toBeGreaterThan(0);
    expect(minReady).toBeGreaterThanOrEqual(1);

    const operators = await readyPods('io.cilium/app=operator');
    expect(operators).toHaveLength(3);
    expect(new Set(operators.map((pod) => pod.spec.nodeName)).size).toBe(3);

    const dns = await readyPods('kapsule-ha/instance=coredns-ha');
    expect(await zonesOf(dns)).toEqual(['fr-par-1', 'fr-par-2', 'fr-par-3']);
    const slices = (await kubeSystem('endpointslices', '-l', 'kubernetes.io/service-name=kube-dns')).items as any[];
    const endpointPods = slices.flatMap((slice) => (slice.endpoints ?? []).map((endpoint: any) => endpoint.targetRef.name));
    expect(endpointPods.sort()).toEqual(dns.map((pod) => pod.metadata.name).sort());

    expect((await kubeSystem('deployment', 'coredns')).spec.replicas).toBe(0);
    expect((await kubeSystem('deployment', 'metrics-server')).spec.replicas).toBe(0);
    expect(await readyPods('kapsule-ha/instance=metrics-server-ha')).toHaveLength(2);
    expect((await kubeSystem('pdb', 'coredns-ha')).spec.maxUnavailable).toBe(1);
    expect((await kubeSystem('pdb', 'metrics-server-ha')).spec.minAvailable).toBe(1);
    const params = JSON.parse((await kubeSystem('configmap', 'kube-dns-autoscaler')).data.linear);
    expect(params).toMatchObject({ coresPerReplica: 256, nodesPerReplica: 16, min: 3, preventSinglePointFailure: true, includeUnschedulableNodes: true });
  });

  it('a second enable all --yes sends no write at all', async () => {
    const offset = auditOffset();
    const result = await plugin(['enable', 'all', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/nothing to change/);
    const requests = await pluginRequests(offset);
    expect(requests.reads).toBeGreaterThan(0);
    expect(requests.writes).toBe(0);
  });

  it('evicting every HA pod of one zone leaves DNS and metrics with Ready pods, the PDBs refusing what would go too far', async () => {
    // The zone of a metrics-server-ha pod (2 replicas over 3 zones); coredns-ha has one in every zone.
    const [metricsPod] = await readyPods('kapsule-ha/instance=metrics-server-ha');
    const zone = (await zonesOf([metricsPod]))[0]!;
    const nodes = JSON.parse((await sim.kubectl(['get', 'nodes', '-l', `topology.kubernetes.io/zone=${zone}`, '-o', 'json'])).stdout).items as any[];
    const zoneNodes = new Set(nodes.map((n) => n.metadata.name));
    for (const selector of ['kapsule-ha/instance=coredns-ha', 'kapsule-ha/instance=metrics-server-ha']) {
      const inZone = (await readyPods(selector)).filter((pod) => zoneNodes.has(pod.spec.nodeName));
      expect(inZone.length, selector).toBeGreaterThan(0);
      for (const pod of inZone) {
        const eviction = await sim.kubectl(['create', '--raw', `/api/v1/namespaces/kube-system/pods/${pod.metadata.name}/eviction`, '-f', '-'], {
          input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.metadata.name, namespace: 'kube-system' } }),
        });
        expect(eviction.code, eviction.stderr).toBe(0);
      }
      expect((await readyPods(selector)).length, selector).toBeGreaterThanOrEqual(1);
    }
    // With no room for replacements (every node cordoned), the PDB lets one pod go, not both.
    const cordon = (verb: string) => sim.kubectl([verb, '-l', 'kubernetes.io/os=linux']);
    expect((await cordon('cordon')).code).toBe(0);
    try {
      const [first, second] = await readyPods('kapsule-ha/instance=metrics-server-ha');
      const evict = (name: string) =>
        sim.kubectl(['create', '--raw', `/api/v1/namespaces/kube-system/pods/${name}/eviction`, '-f', '-'], {
          input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'kube-system' } }),
        });
      expect((await evict(first.metadata.name)).code).toBe(0);
      const refused = await evict(second.metadata.name);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/disruption budget|TooManyRequests/i);
      expect(await readyPods('kapsule-ha/instance=metrics-server-ha')).toHaveLength(1);
    } finally {
      await cordon('uncordon');
    }
  });

  it('disable all --yes returns kube-system to its seeded state, with no DNS gap', async () => {
    // Let the copies recover from the evictions first, as an operator would.
    await plugin(['enable', 'all', '--yes']);
    const watch = await watchEndpoints();
    const result = await plugin(['disable', 'all', '--yes']);
    const { minReady, events } = await watch.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(events, 'the watcher saw the endpoints move from the copy to the original').toBeGreaterThan(0);
    expect(minReady).toBeGreaterThanOrEqual(1);
    expect(await kubeSystemShape()).toEqual(seeded);
    const again = auditOffset();
    expect((await plugin(['disable', 'all', '--yes'])).code).toBe(0);
    expect((await pluginRequests(again)).writes).toBe(0);
  });
});

describe('pool pinning and refusals', () => {
  beforeAll(async () => {
    await sim.reset();
  });

  it('the endpoint watcher does see the DNS gap that scaling the original down first would cause', async () => {
    const watch = await watchEndpoints();
    await sim.kubectl(['scale', 'deployment/coredns', '-n', 'kube-system', '--replicas=0']);
    for (let i = 0; i < 50 && (await readyPods('k8s-app=kube-dns')).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    await sim.kubectl(['scale', 'deployment/coredns', '-n', 'kube-system', '--replicas=1']);
    await sim.kubectl(['rollout', 'status', 'deployment/coredns', '-n', 'kube-system', '--timeout=60s']);
    expect((await watch.stop()).minReady).toBe(0);
  });

  it('--pools default pins coredns-ha and its autoscaler to that pool and rolls the pods onto it', async () => {
    expect((await plugin(['enable', 'coredns', '--yes'])).code).toBe(0);
    const result = await plugin(['enable', 'coredns', '--pools', 'default', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/deployment.apps\/coredns-ha patched/);
    const nodes = JSON.parse((await sim.kubectl(['get', 'nodes', '-l', 'k8s.scaleway.com/pool-name=default', '-o', 'json'])).stdout).items as any[];
    const defaultNodes = new Set(nodes.map((n) => n.metadata.name));
    const dns = await readyPods('kapsule-ha/instance=coredns-ha');
    expect(dns.length).toBeGreaterThanOrEqual(3);
    expect(dns.every((pod) => defaultNodes.has(pod.spec.nodeName))).toBe(true);
    const autoscaler = await kubeSystem('deployment', 'kube-dns-autoscaler');
    expect(autoscaler.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0])
      .toEqual({ key: 'k8s.scaleway.com/pool-name', operator: 'In', values: ['default'] });
  });

  it('options given once stick: a later plain enable keeps them instead of resetting to defaults', async () => {
    const tuned = await plugin(['enable', 'coredns', 'cilium-operator', '--cores-per-replica', '128', '--replicas', '4', '--yes']);
    expect(tuned.code, tuned.stderr).toBe(0);
    const offset = auditOffset();
    const again = await plugin(['enable', 'coredns', 'cilium-operator', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect((await pluginRequests(offset)).writes).toBe(0);
    expect(JSON.parse((await kubeSystem('configmap', 'kube-dns-autoscaler')).data.linear).coresPerReplica).toBe(128);
    expect((await kubeSystem('deployment', 'cilium-operator')).spec.replicas).toBe(4);
    expect((await kubeSystem('deployment', 'coredns-ha')).spec.template.spec.affinity.nodeAffinity).toBeDefined();
  });

  it('an unknown pool is refused with one clear line and no write', async () => {
    const offset = auditOffset();
    const result = await plugin(['enable', 'coredns', '--pools', 'gpu', '--yes']);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/pool gpu has no Ready node/);
    expect((await pluginRequests(offset)).writes).toBe(0);
  });

  it('a coredns-ha that is not ours is never modified nor deleted', async () => {
    await plugin(['disable', 'coredns', '--yes']);
    const created = await sim.kubectl(['create', 'deployment', 'coredns-ha', '-n', 'kube-system', '--image=registry.example/other:1']);
    expect(created.code, created.stderr).toBe(0);
    const before = await kubeSystem('deployment', 'coredns-ha');
    const offset = auditOffset();
    for (const verb of ['enable', 'disable']) {
      const result = await plugin([verb, 'coredns', '--yes']);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/deployment\/coredns-ha in namespace kube-system exists but was not created by kubectl-kapsule-ha/);
    }
    expect((await pluginRequests(offset)).writes).toBe(0);
    // Its status moves with its own rollout; what a writer would change does not.
    const after = await kubeSystem('deployment', 'coredns-ha');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect({ labels: after.metadata.labels, spec: after.spec }).toEqual({ labels: before.metadata.labels, spec: before.spec });
  });
});
