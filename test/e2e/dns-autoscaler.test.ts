// The proportional autoscaler the plugin installs really runs (the process runner starts
// cluster-proportional-autoscaler v1.10.3 as its pod, with the ServiceAccount token the
// plugin's RBAC applies to) and scales coredns-ha as its linear mode says, computed here
// from the plugin's ConfigMap and the node list the way the upstream controller does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyPods, sleep } from '../lib/robustness.ts';
import { podLog, START_DELAY_MS } from '../lib/dns.ts';
import { kubeSystem, plugin, sim, getJson } from '../lib/plugin.ts';

interface Linear {
  coresPerReplica?: number;
  nodesPerReplica?: number;
  min?: number;
  max?: number;
  preventSinglePointFailure?: boolean;
  includeUnschedulableNodes?: boolean;
}

/** cluster-proportional-autoscaler v1.10.3, pkg/autoscaler/controller/linearcontroller, restated. */
function upstreamLinear(params: Linear, nodes: any[]): number {
  const ready = (node: any) => node.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
  const counted = params.includeUnschedulableNodes ? nodes : nodes.filter((node) => !node.spec?.unschedulable && ready(node));
  const cores = counted.reduce((sum, node) => sum + Number.parseInt(node.status.allocatable.cpu, 10), 0);
  const min = params.min || 1;
  const perParam = (amount: number, per = 0) => (per === 0 ? 1 : Math.max(min, params.max ? Math.min(params.max, Math.ceil(amount / per)) : Math.ceil(amount / per)));
  const byCores = perParam(cores, params.coresPerReplica);
  let byNodes = perParam(counted.length, params.nodesPerReplica);
  if (params.preventSinglePointFailure && counted.length > 1 && byNodes < 2) byNodes = 2;
  return Math.max(byCores, byNodes);
}

async function expectedReplicas(): Promise<number> {
  const params = JSON.parse((await kubeSystem('configmap', 'kube-dns-autoscaler')).data.linear) as Linear;
  return upstreamLinear(params, (await getJson(['nodes'])).items);
}

/** Polls coredns-ha's spec.replicas until it is `want` or a minute has passed; every value seen, in order. */
async function replicasReach(want: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < 120; i++) {
    const replicas = (await kubeSystem('deployment', 'coredns-ha')).spec.replicas as number;
    if (seen.at(-1) !== replicas) seen.push(replicas);
    if (replicas === want) break;
    await sleep(500);
  }
  const nodes = (await getJson(['nodes'])).items.length;
  console.log(`[autoscaler] ${nodes} nodes: the linear formula gives ${want}; coredns-ha's replicas went ${seen.join(' → ')}`);
  return seen;
}

/** 3 zones × (default + autoscaled) nodes. */
const shape = (total: number) => ({ default: Math.floor(total / 9), autoscaled: total / 3 - Math.floor(total / 9) });

describe('the proportional autoscaler, running for real against coredns-ha', () => {
  beforeAll(async () => {
    await sim.reset();
    await sim.setStartDelay(START_DELAY_MS);
    const enabled = await plugin(['enable', 'coredns', '--yes']);
    if (enabled.code !== 0) throw new Error(`enable coredns failed: ${enabled.stderr}`);
  });

  afterAll(() => sim.reset());

  it('grows coredns-ha to the linear formula at 300 nodes within a minute, and back to its minimum (one per zone at least) at 9', async () => {
    let [autoscaler] = await readyPods('k8s-app=kube-dns-autoscaler');
    for (let i = 0; i < 120 && !autoscaler; i++) [autoscaler] = await sleep(500).then(() => readyPods('k8s-app=kube-dns-autoscaler'));
    expect(autoscaler, 'the autoscaler pod is Ready (its process runs)').toBeDefined();

    await sim.scaleNodes(shape(300));
    expect((await getJson(['nodes'])).items).toHaveLength(300);
    const grown = await expectedReplicas();
    expect(grown, 'the formula asks for more than the minimum at 300 nodes').toBeGreaterThan(3);
    expect((await replicasReach(grown)).at(-1)).toBe(grown);

    await sim.scaleNodes(shape(9));
    const zones = sim.info().zones.length;
    const shrunk = await expectedReplicas();
    const seen = await replicasReach(shrunk);
    expect(seen.at(-1)).toBe(shrunk);
    const params = JSON.parse((await kubeSystem('configmap', 'kube-dns-autoscaler')).data.linear) as Linear;
    expect(shrunk).toBe(params.min);
    expect(Math.min(...seen), 'never below one replica per zone').toBeGreaterThanOrEqual(zones);

    // It did its work with the permissions the plugin gave it: not one request refused.
    const log = podLog(autoscaler.metadata.name);
    expect(log, 'the autoscaler logged its work').toMatch(/replicas/i);
    expect(log).not.toMatch(/\b403\b|forbidden/i);
  }, 300_000);

  it('enable coredns --nodes-per-replica 8 is followed by the running autoscaler', async () => {
    await sim.scaleNodes(shape(63));
    expect((await replicasReach(await expectedReplicas())).at(-1)).toBe(await expectedReplicas());
    const before = (await kubeSystem('deployment', 'coredns-ha')).spec.replicas;

    const tuned = await plugin(['enable', 'coredns', '--nodes-per-replica', '8', '--yes']);
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(JSON.parse((await kubeSystem('configmap', 'kube-dns-autoscaler')).data.linear).nodesPerReplica).toBe(8);
    const after = await expectedReplicas();
    expect(after, 'the new parameter asks for more replicas').toBeGreaterThan(before);
    expect((await replicasReach(after)).at(-1)).toBe(after);

    // Only the autoscaler follows the nodes: more of them, more replicas, without the plugin.
    await sim.scaleNodes(shape(126));
    const more = await expectedReplicas();
    expect(more).toBeGreaterThan(after);
    expect((await replicasReach(more)).at(-1)).toBe(more);
    const [autoscaler] = await readyPods('k8s-app=kube-dns-autoscaler');
    expect(podLog(autoscaler.metadata.name)).not.toMatch(/\b403\b|forbidden/i);
  }, 300_000);
});
