// A metrics-server copy that cannot serve is caught, not trusted: an upgrade gives the
// original an argument metrics-server rejects (--kubelet-request-timeout=0s fails its own
// validation), so the original's new pod crashes (its rollout keeps the old one, maxUnavailable 0)
// and the repaired copy's new pods never pass /readyz. enable must stop with 124 while the
// running side keeps serving: no metrics request may fail, the HPA keeps scaling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyPods } from '../lib/robustness.ts';
import { START_DELAY_MS } from '../lib/dns.ts';
import { expectMetricsServed, startHpaApp, underMetricsProbe, type ScalingActiveWatcher } from '../lib/metrics.ts';
import { kubeSystem, plugin, sim } from '../lib/plugin.ts';
import { pollUntil } from '../sim/lib/settle.ts';

const REJECTED = '--kubelet-request-timeout=0s';
const COPY_PODS = 'kapsule-ha/instance=metrics-server-ha';

describe('a metrics-server copy that cannot serve', () => {
  let hpa: ScalingActiveWatcher;

  beforeAll(async () => {
    await sim.reset();
    await sim.setStartDelay(START_DELAY_MS);
    hpa = (await startHpaApp()).watcher;
    const enabled = await plugin(['enable', 'metrics-server', '--yes']);
    if (enabled.code !== 0) throw new Error(`enable metrics-server failed: ${enabled.stderr}`);
    // The test's probe starts once the original's pod, scaled to 0 just now, is out of
    // kube-proxy's rules: a connection refused by it (the termination race, metrics.ts) is
    // the enable above, not the one under test.
    await pollUntil("kube-proxy to send metrics-server's connections to the copy's pods only", 30_000, async () => {
      const copy = (await readyPods(COPY_PODS)).map((pod) => pod.status.podIP).sort();
      const routed = (await sim.kubeProxyEndpoints('kube-system/metrics-server/tcp/https')).sort();
      return copy.length === 2 && routed.join() === copy.join() ? undefined : `routed to ${routed.join(', ')}, the copy's ready pods are ${copy.join(', ')}`;
    });
  }, 300_000);

  afterAll(async () => {
    hpa?.stop();
    await sim.reset();
  });

  it('enable stops with 124 after an upgrade with an argument metrics-server rejects; the copy keeps serving, no request failed', async () => {
    const servingCopyPods = (await readyPods(COPY_PODS)).map((pod) => pod.metadata.name);
    expect(servingCopyPods.length).toBe(2);
    const patch = [
      { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: REJECTED },
      { op: 'replace', path: '/spec/replicas', value: 1 },
    ];
    const upgraded = await sim.kubectl(['patch', 'deployment/metrics-server', '-n', 'kube-system', '--type=json', '-p', JSON.stringify(patch)]);
    expect(upgraded.code, upgraded.stderr).toBe(0);

    const { value: result, metrics } = await underMetricsProbe(() => plugin(['enable', 'metrics-server', '--yes', '--timeout', '60s']));
    expect(result.code, result.stderr).toBe(124);
    expect(result.stderr).toMatch(/timed out waiting for deployment\/metrics-server-ha/);
    expectMetricsServed(metrics, 'enable metrics-server with an argument metrics-server rejects');
    expect(hpa.notActive(), 'ScalingActive never False').toEqual([]);

    // The copy carries the rejected argument; one of its old pods still serves, no new one is Ready.
    const copy = await kubeSystem('deployment', 'metrics-server-ha');
    expect(copy.spec.template.spec.containers[0].args).toContain(REJECTED);
    const ready = (await readyPods(COPY_PODS)).map((pod) => pod.metadata.name);
    expect(ready.length).toBeGreaterThanOrEqual(1);
    for (const name of ready) expect(servingCopyPods).toContain(name);
    const status = JSON.parse((await plugin(['status', 'metrics-server', '-o', 'json'])).stdout);
    expect(status.components[0].apiService).toMatchObject({ found: true, available: true });
  }, 300_000);
});
