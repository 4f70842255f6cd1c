// The simulator's pod network is a real one (README.md, "Network design"): pods hold
// their IPs in namespaces of their own, Services go through a real kube-proxy, pods
// reach the API server through the `kubernetes` Service, and the API server reaches pods.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { pollUntil } from './lib/settle.ts';
import { clusterHttpGet, clusterNetwork, info, kubectl, openClientSandbox, startKubeProxy, stopKubeProxy, } from './sim.ts';
import { onFreshSimulator } from './fresh-simulator.ts';
import { startDnsProbe } from './dns-probe.ts';

const run = promisify(execFile);
const api = onFreshSimulator();

const kubeDnsPods = async () => (await api.list('/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns')).filter((p) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));

/** Queries a CoreDNS pod has served (its own metrics, on its pod IP). */
async function servedBy(podIP: string): Promise<number> {
  const { status, body } = await clusterHttpGet(podIP, 9153, '/metrics');
  expect(status).toBe(200);
  return [...body.matchAll(/^coredns_dns_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('Services through kube-proxy', () => {
  test('the kube-dns ClusterIP, asked from a pod namespace, answers from every ready endpoint (counted per pod), conntrack in the path', async () => {
    expect((await kubectl(['-n', 'kube-system', 'scale', 'deployment/coredns', '--replicas=3'])).code).toBe(0);
    expect((await kubectl(['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=120s'])).code).toBe(0);
    const pods = await kubeDnsPods();
    expect(pods).toHaveLength(3);
    // The probe sees three ready endpoints before it starts, so kube-proxy has them too.
    await pollUntil('kube-dns to list 3 ready endpoints', 30_000, async () => {
      const slices = await api.list('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns');
      const ready = slices.flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready));
      return ready.length === 3 ? undefined : `3 (now ${ready.length})`;
    });
    const before = new Map(await Promise.all(pods.map(async (p) => [p.status.podIP as string, await servedBy(p.status.podIP)] as const)));
    const probe = await startDnsProbe({ mode: 'client' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const result = await probe.stop(0, { quietMs: 0 });
    expect(result, JSON.stringify(result)).toMatchObject({ mode: 'client', failed: 0, answered: result.sent });
    expect(result.sent).toBeGreaterThan(20);
    // Each query came from a fresh source port: kube-proxy chose among all three.
    const perPod = Object.fromEntries(await Promise.all(pods.map(async (p) => [p.metadata.name, (await servedBy(p.status.podIP)) - (before.get(p.status.podIP) ?? 0)] as const)));
    console.log(`[network] ${result.sent} queries to 10.32.0.10 answered per pod: ${JSON.stringify(perPod)}`);
    for (const count of Object.values(perPod)) expect(count, JSON.stringify(perPod)).toBeGreaterThan(0);
    // The probe saw the same through conntrack: every pod answered some of its queries.
    expect(Object.keys(result.answeredBy).sort()).toEqual(pods.map((p) => p.status.podIP).sort());
    // The cluster namespace's conntrack table maps the ClusterIP to the pods' own addresses.
    const { stdout } = await run('nsenter', [`--net=${clusterNetwork()}`, 'conntrack', '-L', '-p', 'udp', '--orig-dst', '10.32.0.10'], { maxBuffer: 16 << 20 });
    const repliedFrom = new Set([...stdout.matchAll(/dst=10\.32\.0\.10 sport=\d+ dport=53 .*?src=(\S+)/g)].map((m) => m[1]));
    expect([...repliedFrom].sort()).toEqual(pods.map((p) => p.status.podIP).sort());
  });

  test('with kube-proxy stopped (its rules removed), the client-mode probe fails loudly; started again, every query is answered', async () => {
    await stopKubeProxy();
    try {
      const probe = await startDnsProbe({ mode: 'client', timeoutMs: 500 });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const down = await probe.stop(0, { quietMs: 0 });
      expect(down.answered).toBe(0);
      expect(down.timeouts).toBe(down.sent);
      expect(down.failed).toBeGreaterThan(10);
      expect(down.firstFailures[0]).toMatch(/timeout: .* at kube-dns 10\.32\.0\.10:53/);
    } finally {
      await startKubeProxy();
    }
    const probe = await startDnsProbe({ mode: 'client' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const up = await probe.stop(0, { quietMs: 0 });
    expect(up).toMatchObject({ failed: 0, answered: up.sent });
  });
});

describe('the control plane and the pods reach each other', () => {
  test('a pod reaches the API server at the kubernetes Service (10.32.0.1:443), through kube-proxy', async () => {
    const client = await openClientSandbox();
    try {
      const { stdout } = await run('nsenter', [`--net=${client.netns}`, 'curl', '-sS', '--max-time', '10', '--cacert', info().caFile, '-H', `Authorization: Bearer ${info().adminToken}`, 'https://10.32.0.1:443/version']);
      expect(JSON.parse(stdout).gitVersion).toBe('v1.35.4');
    } finally {
      await client.close();
    }
  });

  test("the API server reaches a pod's IP (its egress into the cluster network): kube-dns's metrics through the service proxy", async () => {
    const { status, body } = await api.request('GET', '/api/v1/namespaces/kube-system/services/kube-dns:metrics/proxy/metrics', { accept: [503] });
    expect(status, String(body)).toBe(200);
    expect(String(body)).toMatch(/^coredns_build_info/m);
  });
});
