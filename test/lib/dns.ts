// The e2e tests' view of the cluster DNS: the DNS probe around a piece of work, and the
// one assertion every cut-over must pass (every query answered, the probe alive).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { sim } from './plugin.ts';
import { startDnsProbe, type DnsProbeOptions, type DnsProbeResult } from '../sim/dns-probe.ts';
import { underProbe } from './under-probe.ts';

/** The simulated image pull between a runner pod's bind and its process start (mean; ±1/3 jitter). */
export const START_DELAY_MS = 3000;

/**
 * Runs `work` under the DNS probe in client mode (a pod's own namespace asking the
 * kube-dns ClusterIP through kube-proxy); the probe keeps going for a second after it and
 * then until kube-dns's endpoints have settled (what follows the last write counts too).
 */
export async function underDnsProbe<T>(work: () => Promise<T>, options: DnsProbeOptions = {}): Promise<{ value: T; dns: DnsProbeResult }> {
  const { value, result } = await underProbe(await startDnsProbe(options), work);
  return { value, dns: result };
}

/**
 * The most queries a cut-over that scales the *original* coredns to 0 may lose to the stale-flow
 * race (DnsProbeResult.staleFlowLosses): a client reusing a source port is pinned by conntrack
 * to the pod that answered that port before, and kube-proxy clears such flows only once the
 * pod stops serving. Kapsule's original probes /ready every 10 s, so its pod stops serving only
 * when it exits; a query in the moment between that exit and kube-proxy's clean-up is lost, as
 * on a real cluster whenever that pod goes (the plugin may not change the original's probe;
 * its copies are probed every second and leave the Service within their lameduck: none lost).
 */
export const ORIGINAL_STALE_FLOWS = 2;

const isOriginalPod = (pod: string) => /^coredns-(?!ha-)[a-z0-9]+-[a-z0-9]+$/.test(pod);

/**
 * Every query answered right, none failed, and the probe was alive all along (a plausible
 * number sent). `originalScaledDown`: the work scales the original to 0, so up to
 * ORIGINAL_STALE_FLOWS queries lost to a stale flow pinned to the original's pod are allowed,
 * nothing else.
 */
export function expectEveryQueryAnswered(dns: DnsProbeResult, what: string, options: { originalScaledDown?: boolean } = {}): void {
  const summary = `${what}: ${JSON.stringify({ ...dns, firstFailures: undefined })}\n${dns.firstFailures.join('\n')}`;
  const allowed = options.originalScaledDown ? dns.staleFlowLosses.filter(isOriginalPod).length : 0;
  expect(allowed, summary).toBeLessThanOrEqual(ORIGINAL_STALE_FLOWS);
  console.log(`[dns probe] ${what}: ${dns.sent} queries (${dns.mode}) in ${(dns.windowMs / 1000).toFixed(1)} s answered by ${dns.endpointsQueried} pod(s) ${JSON.stringify(dns.answeredBy)} (${dns.reusedFlows} through an earlier query's flow), ${dns.answered} answered, ${dns.failed} failed (${dns.staleFlowLosses.length} to a stale flow); fewest ready endpoints ${dns.minReady}, longest tick gap ${dns.maxTickGapMs} ms`);
  expect(dns.failed - allowed, summary).toBe(0);
  expect(dns.answered + allowed, summary).toBe(dns.sent);
  // One query per 50 ms tick: at least a third of them, whatever the machine's load.
  expect(dns.sent, summary).toBeGreaterThanOrEqual(Math.max(20, Math.floor(dns.windowMs / 50 / 3)));
  expect(dns.endpointsQueried, summary).toBeGreaterThanOrEqual(1);
  // The probe never dozed off for as long as a query's timeout: an outage that short would hide in the gap.
  expect(dns.maxTickGapMs, summary).toBeLessThan(2000);
  // kube-dns never lost its last ready endpoint, and has one when the endpoints have settled.
  expect(dns.minReady, summary).toBeGreaterThanOrEqual(1);
  expect(dns.readyAtEnd, summary).toBeGreaterThanOrEqual(1);
}

/** The runner's log of a pod's process (its stdout and stderr, every restart), found under the simulator's state directory. */
export function podLog(podName: string): string {
  const dir = sim.info().stateDir;
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((file) => path.basename(file) === `kube-system_${podName}.log`);
  if (files.length === 0) throw new Error(`no process log for pod ${podName} under ${dir}`);
  return files.map((file) => readFileSync(path.join(dir, file), 'utf8')).join('\n');
}
