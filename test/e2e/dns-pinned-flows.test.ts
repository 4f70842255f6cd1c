// A client reusing a source port stays pinned by conntrack to the CoreDNS pod that answered
// it first, whatever kube-proxy's rules say now; kube-proxy clears such flows only for an
// endpoint that no longer serves. A copy pod told to stop must therefore stop serving while
// it still answers (its lameduck), or a query on a pinned flow between its exit and that
// clean-up is lost. Checked here on the real path: kube-proxy's conntrack clean-up, the
// EndpointSlice controller, CoreDNS's /ready and lameduck, the runner probing as a kubelet.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyPods } from '../lib/robustness.ts';
import { plugin, sim } from '../lib/plugin.ts';
import { pollUntil } from '../sim/lib/settle.ts';

const run = promisify(execFile);
const KUBE_DNS = sim.clusterAddresses.kubeDns;
const COPY_PODS = 'kapsule-ha/instance=coredns-ha';

/** The UDP flows to the kube-dns ClusterIP that conntrack pins to `podIP`. */
async function flowsTo(podIP: string): Promise<number> {
  const { stdout } = await run('nsenter', [`--net=${sim.clusterNetwork()}`, 'conntrack', '-L', '-p', 'udp', '--orig-dst', KUBE_DNS, '--reply-src', podIP], { encoding: 'utf8' });
  return stdout.split('\n').filter((line) => line.includes(`src=${podIP}`)).length;
}

describe("a stopping copy pod's pinned flows", () => {
  beforeAll(async () => {
    await sim.reset();
    const enabled = await plugin(['enable', 'coredns', '--yes']);
    expect(enabled.code, enabled.stderr).toBe(0);
  });

  afterAll(() => sim.reset());

  it('are cleared by kube-proxy while the pod still answers through its lameduck, not after it exits', async () => {
    const client = await sim.openClientSandbox();
    try {
      // Flows from a pod's namespace to the ClusterIP, spread by kube-proxy over the copies.
      for (let i = 0; i < 30; i++) expect(await sim.resolveIn(client.netns, KUBE_DNS, 'kubernetes.default.svc.cluster.local')).toEqual(['10.32.0.1']);
      const pods = await readyPods(COPY_PODS);
      const pinned = await Promise.all(pods.map(async (pod) => ({ pod, flows: await flowsTo(pod.status.podIP) })));
      const target = pinned.sort((a, b) => b.flows - a.flows)[0]!;
      expect(target.flows, 'conntrack pinned flows to a copy pod').toBeGreaterThan(0);
      const pid = sim.processIdOf(target.pod);
      expect(existsSync(`/proc/${pid}`)).toBe(true);

      const deleted = await sim.kubectl(['delete', 'pod', '-n', 'kube-system', target.pod.metadata.name, '--wait=false']);
      expect(deleted.code, deleted.stderr).toBe(0);
      // Whichever comes first: the flows gone (read before the process, so a process seen
      // running afterwards was running when they were gone), or the process gone.
      let clearedWhileRunning = false;
      await pollUntil('the flows cleared or the process gone', 30_000, async () => {
        const flows = await flowsTo(target.pod.status.podIP);
        const running = existsSync(`/proc/${pid}`);
        clearedWhileRunning = flows === 0 && running;
        return flows === 0 || !running ? undefined : 'either';
      });
      expect(clearedWhileRunning, 'the flows pinned to the stopping pod were cleared before its process exited').toBe(true);
    } finally {
      await client.close();
    }
  });
});
