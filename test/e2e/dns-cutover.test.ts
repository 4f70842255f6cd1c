// Every cut-over under the DNS probe, with real CoreDNS pods that take seconds to start:
// the process runner starts each CoreDNS pod after the simulated image pull and derives
// Ready from its /ready probe, so an order that scaled an original down before its copy
// served would show here as failed queries, not as a count of endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployments, deploymentsSettled, expectDisabled, expectEnabled, readyPods, zoneByNode } from '../lib/robustness.ts';
import { expectEveryQueryAnswered, START_DELAY_MS, underDnsProbe } from '../lib/dns.ts';
import { plugin, sim } from '../lib/plugin.ts';

const OUTAGE = 'fr-par-1';
const COPY_PODS = 'kapsule-ha/instance=coredns-ha';


describe('the DNS probe through every cut-over, pods starting after a simulated image pull', () => {
  beforeAll(async () => {
    await sim.reset();
    await sim.setStartDelay(START_DELAY_MS);
  });

  afterAll(() => sim.reset());

  it('enable all --yes: every query answered while the copies start and the original goes', async () => {
    const { value: result, dns } = await underDnsProbe(() => plugin(['enable', 'all', '--yes']));
    expect(result.code, result.stderr).toBe(0);
    expectEveryQueryAnswered(dns, 'enable all', { originalScaledDown: true });
    // The queries went to the original first, then to the copies: the cut-over happened under the probe.
    expect(dns.endpointsQueried).toBeGreaterThanOrEqual(2);
    await expectEnabled();
  });

  it('the repair after a Kapsule upgrade (the original back at 1 replica, a new image, a Corefile change): every query answered', async () => {
    await sim.upgrade();
    expect((await deployments()).get('coredns')?.replicas).toBe(1);
    const { value: result, dns } = await underDnsProbe(() => plugin(['enable', 'all', '--yes']));
    expect(result.code, result.stderr).toBe(0);
    expectEveryQueryAnswered(dns, 'enable all after the upgrade', { originalScaledDown: true });
    await expectEnabled();
    const drift = await plugin(['check-drift']);
    expect(drift.code, drift.stdout).toBe(0);
  });

  it(`a drain of every node of ${OUTAGE}: every query answered while the copies move to the other zones`, async () => {
    const zones = await zoneByNode();
    expect((await readyPods(COPY_PODS)).some((pod) => zones.get(pod.spec.nodeName) === OUTAGE), 'a DNS pod ran in the zone').toBe(true);
    const { value: drained, dns } = await underDnsProbe(async () => {
      const result = await sim.kubectl(['drain', '-l', `topology.kubernetes.io/zone=${OUTAGE}`, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=240s']);
      expect(await deploymentsSettled(120), 'every Deployment back at strength').toBe(true);
      return result;
    });
    expect(drained.code, drained.stderr).toBe(0);
    expectEveryQueryAnswered(dns, `drain of ${OUTAGE}`);
    const dnsPods = await readyPods(COPY_PODS);
    expect(dnsPods.map((pod) => zones.get(pod.spec.nodeName))).not.toContain(OUTAGE);
    expect(dnsPods.length).toBe((await deployments()).get('coredns-ha')?.replicas);
    expect((await sim.kubectl(['uncordon', '-l', `topology.kubernetes.io/zone=${OUTAGE}`])).code).toBe(0);
   }, 300_000);

  it('disable all --yes: every query answered while the original comes back and the copies go', async () => {
    const { value: result, dns } = await underDnsProbe(() => plugin(['disable', 'all', '--yes']));
    expect(result.code, result.stderr).toBe(0);
    expectEveryQueryAnswered(dns, 'disable all');
    expect(dns.endpointsQueried).toBeGreaterThanOrEqual(2);
    await expectDisabled();
    expect(await readyPods(COPY_PODS)).toEqual([]);
  });
});
