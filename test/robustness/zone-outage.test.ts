import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin, sim, watchEndpoints } from '../lib/plugin.ts';
import { deployments, readyPods, sleep, zoneByNode } from '../lib/robustness.ts';

const OUTAGE = 'fr-par-1';
const COPIES: { name: string; selector: string; service?: string; anyZone?: boolean }[] = [
  { name: 'coredns-ha', selector: 'kapsule-ha/instance=coredns-ha', service: 'kube-dns' },
  { name: 'metrics-server-ha', selector: 'kapsule-ha/instance=metrics-server-ha', service: 'metrics-server' },
  // Tolerates every taint (Kapsule's manifest), the cordon's included: it may come back onto
  // the cordoned nodes, so only its strength is checked, not its zones.
  { name: 'cilium-operator', selector: 'io.cilium/app=operator', anyZone: true },
];

describe(`a zone outage (${OUTAGE}: every pod evicted, every node cordoned) once enabled`, () => {
  beforeAll(async () => {
    await sim.reset();
    const enabled = await plugin(['enable', 'all', '--yes']);
    if (enabled.code !== 0) throw new Error(`enable all failed: ${enabled.stderr}`);
  });

  afterAll(() => sim.reset());

  it('DNS and metrics keep a Ready endpoint throughout, and every copy is back at full strength in the other zones', async () => {
    const zones = await zoneByNode();
    const before = await readyPods(COPIES[0]!.selector);
    expect(before.some((pod) => zones.get(pod.spec.nodeName) === OUTAGE), 'a DNS pod ran in the zone before').toBe(true);

    const dns = await watchEndpoints('kube-dns');
    const metrics = await watchEndpoints('metrics-server');
    // kubectl drain: cordon, then evict every pod through the eviction API, retrying while a
    // PodDisruptionBudget says no (as a node pool going away would).
    const drained = await sim.kubectl(['drain', '-l', `topology.kubernetes.io/zone=${OUTAGE}`, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s']);
    expect(drained.code, drained.stderr).toBe(0);

    // Wait for the replacements to be Ready.
    const wanted = await deployments();
    const settled = async () => {
      for (const copy of COPIES) {
        const pods = await readyPods(copy.selector);
        if (pods.length < wanted.get(copy.name)!.replicas) return false;
      }
      return true;
    };
    for (let i = 0; i < 120 && !(await settled()); i++) await sleep(250);
    const dnsWatch = await dns.stop();
    const metricsWatch = await metrics.stop();
    expect(dnsWatch.events, 'the DNS endpoints did change').toBeGreaterThan(0);
    expect(dnsWatch.minReady, 'fewest ready kube-dns endpoints').toBeGreaterThanOrEqual(1);
    expect(metricsWatch.minReady, 'fewest ready metrics-server endpoints').toBeGreaterThanOrEqual(1);

    const others = [...new Set(zones.values())].filter((zone) => zone !== OUTAGE).sort();
    for (const copy of COPIES) {
      const pods = await readyPods(copy.selector);
      const podZones = pods.map((pod) => zones.get(pod.spec.nodeName));
      expect(pods.length, copy.name).toBe(wanted.get(copy.name)!.replicas);
      if (copy.anyZone) continue;
      expect(podZones, `${copy.name} has no pod in ${OUTAGE}`).not.toContain(OUTAGE);
      // Spread over what is left: both remaining zones hold a replica.
      expect([...new Set(podZones)].sort(), copy.name).toEqual(others);
    }
    // Nothing to repair: an outage is not drift.
    const drift = await plugin(['check-drift']);
    expect(drift.code, drift.stdout).toBe(0);
  });
});
