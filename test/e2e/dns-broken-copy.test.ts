// A copy that cannot serve is caught, not trusted: the original `coredns` ConfigMap is
// edited to a Corefile CoreDNS rejects. The running original keeps its last good
// configuration (CoreDNS's `reload` refuses the bad one); the copy the plugin makes from it
// crashes at start, so the runner restarts it with back-off and its Ready condition, from
// the /ready probe, never turns True. enable must give up (exit 124) with the original
// still serving, and no DNS query may fail meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments, readyPods, sleep } from '../lib/robustness.ts';
import { expectEveryQueryAnswered, podLog, START_DELAY_MS, underDnsProbe } from '../lib/dns.ts';
import { kubeSystem, plugin, sim } from '../lib/plugin.ts';

const ORIGINAL_PODS = 'k8s-app=kube-dns,!kapsule-ha/instance';
const COPY_PODS = 'kapsule-ha/instance=coredns-ha';

describe('a coredns copy that cannot serve', () => {
  beforeAll(async () => {
    await sim.reset();
    await sim.setStartDelay(START_DELAY_MS);
  });

  afterAll(() => sim.reset());

  it('enable coredns stops with 124, the original at its replicas and serving, no query failed; status shows the copy not Ready, restarting', async () => {
    const configMap = await kubeSystem('configmap', 'coredns');
    const broken = (configMap.data.Corefile as string).replace(/^(\s*)errors$/m, '$1errors\n$1no_such_plugin_here');
    expect(broken).not.toBe(configMap.data.Corefile);
    const patched = await sim.kubectl(['patch', 'configmap', 'coredns', '-n', 'kube-system', '--type=merge', '-p', JSON.stringify({ data: { Corefile: broken } })]);
    expect(patched.code, patched.stderr).toBe(0);
    const [original] = await readyPods(ORIGINAL_PODS);
    expect(original, 'the original is Ready').toBeDefined();

    const { value: result, dns } = await underDnsProbe(() => plugin(['enable', 'coredns', '--yes', '--timeout', '60s']));
    expect(result.code, result.stderr).toBe(124);
    expectEveryQueryAnswered(dns, 'enable coredns with a Corefile CoreDNS rejects');

    // The copy exists with the rejected Corefile; its pods never became Ready.
    expect((await kubeSystem('configmap', 'coredns-ha')).data.Corefile).toContain('no_such_plugin_here');
    const copyPods = (await kubeSystem('pods', '-l', COPY_PODS)).items as any[];
    expect(copyPods.length).toBeGreaterThan(0);
    expect(await readyPods(COPY_PODS)).toEqual([]);
    // The original: still at its replica, the same pod, Ready.
    expect((await deployments()).get('coredns')).toMatchObject({ replicas: 1, ready: 1 });
    expect((await readyPods(ORIGINAL_PODS)).map((pod) => pod.metadata.name)).toEqual([original.metadata.name]);
    // It did see the edit (reload checks every 30 s, ±15 s) and kept its last good configuration.
    const refusedReload = /reload failed.*no_such_plugin_here/;
    for (let i = 0; i < 60 && !refusedReload.test(podLog(original.metadata.name)); i++) await sleep(1000);
    expect(podLog(original.metadata.name)).toMatch(refusedReload);

    const status = await plugin(['status', 'coredns', '-o', 'json']);
    expect(status.code, status.stderr).toBe(0);
    const copyStatus = (JSON.parse(status.stdout).components[0].pods as any[]).filter((pod) => pod.deployment === 'coredns-ha');
    expect(copyStatus.length).toBe(copyPods.length);
    for (const pod of copyStatus) expect(pod, pod.name).toMatchObject({ ready: false });
    expect(Math.max(...copyStatus.map((pod) => pod.restarts)), 'the copy restarted').toBeGreaterThan(0);
    const text = await plugin(['status', 'coredns']);
    expect(text.stdout).toMatch(/RESTARTS/);
    expect(text.stdout).toMatch(/coredns-ha-\S+\s+(CrashLoopBackOff|Error|Running)\s+[1-9]/);

    // Undoing it is safe too: the original serves, so the broken copy may go.
    const { value: disabled, dns: undo } = await underDnsProbe(() => plugin(['disable', 'coredns', '--yes']));
    expect(disabled.code, disabled.stderr).toBe(0);
    expectEveryQueryAnswered(undo, 'disable coredns after the failed enable');
  }, 300_000);
});
