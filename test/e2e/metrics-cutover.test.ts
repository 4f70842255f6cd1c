// Every cut-over under the metrics probe, with real metrics-server pods: the runner starts
// each after the simulated image pull, Ready comes from its /readyz (true only after it has
// scraped the simulated kubelets), and the API server reaches it through the aggregation
// layer and the pod network. An order that scaled the original down before the copy served
// the metrics API would show here as failed requests, and as an HPA that stopped scaling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments, deploymentsSettled, expectDisabled, expectEnabled, isReadyPod, readyPods, zoneByNode } from '../lib/robustness.ts';
import { START_DELAY_MS } from '../lib/dns.ts';
import { expectMetricsServed, startHpaApp, underMetricsProbe, type ScalingActiveWatcher } from '../lib/metrics.ts';
import { kubeSystem, plugin, sim } from '../lib/plugin.ts';

const OUTAGE = 'fr-par-1';
const COPY_PODS = 'kapsule-ha/instance=metrics-server-ha';


describe('the metrics API through every cut-over, real metrics-server pods', () => {
  let hpa: ScalingActiveWatcher;

  beforeAll(async () => {
    await sim.reset();
    await sim.setStartDelay(START_DELAY_MS);
    hpa = (await startHpaApp()).watcher;
  }, 180_000);

  afterAll(async () => {
    hpa?.stop();
    await sim.reset();
  });

  const expectHpaActive = (what: string) => {
    expect(hpa.looks(), `${what}: the HPA watcher was alive`).toBeGreaterThan(0);
    expect(hpa.notActive(), `${what}: ScalingActive never False`).toEqual([]);
    hpa.reset();
  };

  it('kubectl top nodes and kubectl top pods -A answer', async () => {
    const nodes = await sim.kubectl(['top', 'nodes']);
    expect(nodes.code, nodes.stderr).toBe(0);
    expect(nodes.stdout.trim().split('\n').length - 1).toBe(sim.info().nodesPerZone.default * 3 + sim.info().nodesPerZone.autoscaled * 3);
    const pods = await sim.kubectl(['top', 'pods', '-A']);
    expect(pods.code, pods.stderr).toBe(0);
    expect(pods.stdout).toMatch(/kube-system\s+metrics-server-/);
  });

  it('enable metrics-server --yes: every request answered while the copy starts and the original goes (but for the termination race)', async () => {
    const { value: result, metrics } = await underMetricsProbe(() => plugin(['enable', 'metrics-server', '--yes']));
    expect(result.code, result.stderr).toBe(0);
    expectMetricsServed(metrics, 'enable metrics-server', { originalScaledDown: true });
    expect((await deployments()).get('metrics-server')?.replicas).toBe(0);
    expect((await readyPods(COPY_PODS)).length).toBe(2);
    expectHpaActive('enable metrics-server');
  }, 300_000);

  it('enable all --yes, then the repair after a Kapsule upgrade: every request answered', async () => {
    const all = await underMetricsProbe(() => plugin(['enable', 'all', '--yes']));
    expect(all.value.code, all.value.stderr).toBe(0);
    expectMetricsServed(all.metrics, 'enable all');
    await expectEnabled();
    await sim.upgrade();
    expect((await deployments()).get('metrics-server')?.replicas).toBe(1);
    const repair = await underMetricsProbe(() => plugin(['enable', 'all', '--yes']));
    expect(repair.value.code, repair.value.stderr).toBe(0);
    expectMetricsServed(repair.metrics, 'enable all after the upgrade', { originalScaledDown: true });
    await expectEnabled();
    expect((await plugin(['check-drift'])).code).toBe(0);
    // The copy took the upgrade's new argument with its new image.
    const copy = await kubeSystem('deployment', 'metrics-server-ha');
    expect(copy.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(sim.upgradedArgs['metrics-server']!));
    expectHpaActive('enable all and the repair');
  }, 400_000);

  it(`a drain of every node of ${OUTAGE}: none failed while the copies move (their shutdown delay)`, async () => {
    const zones = await zoneByNode();
    const { value: drained, metrics } = await underMetricsProbe(async () => {
      const result = await sim.kubectl(['drain', '-l', `topology.kubernetes.io/zone=${OUTAGE}`, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=240s']);
      expect(await deploymentsSettled(120), 'every Deployment back at strength').toBe(true);
      return result;
    });
    expect(drained.code, drained.stderr).toBe(0);
    expectMetricsServed(metrics, `drain of ${OUTAGE}`);
    expect((await readyPods(COPY_PODS)).map((pod) => zones.get(pod.spec.nodeName))).not.toContain(OUTAGE);
    expect((await sim.kubectl(['uncordon', '-l', `topology.kubernetes.io/zone=${OUTAGE}`])).code).toBe(0);
    expectHpaActive(`drain of ${OUTAGE}`);
  }, 300_000);

  it('disable all --yes: none failed while the original comes back and the copies go (their shutdown delay)', async () => {
    const { value: result, metrics } = await underMetricsProbe(() => plugin(['disable', 'all', '--yes']));
    expect(result.code, result.stderr).toBe(0);
    expectMetricsServed(metrics, 'disable all');
    await expectDisabled();
    // No copy pod serves any more (kubectl prints nothing for an empty list with --ignore-not-found).
    const copies = await sim.kubectl(['get', 'pods', '-n', 'kube-system', '-l', COPY_PODS, '-o', 'json']);
    expect((JSON.parse(copies.stdout).items as any[]).filter(isReadyPod)).toEqual([]);
    expectHpaActive('disable all');
  }, 300_000);
});
