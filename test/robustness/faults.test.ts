import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin, sim, watchEndpoints, type EndpointWatch } from '../e2e/plugin.ts';
import { expectCleanEnd, expectDisabled, expectEnabled, faultsIn, spawnPlugin, startProxy } from './helpers.ts';

// 10% of the requests faulted (5xx before or after the server acted, 429 with Retry-After,
// resets before or after forwarding, delays), a different sequence per seed.
const SEEDS = [11, 23, 37];
const SHARE = 0.1;

describe(`with ${SHARE * 100}% of API requests faulted, each verb succeeds or fails cleanly, and a plain re-run converges`, () => {
  let watch: EndpointWatch;
  const totals = { faults: 0, requests: 0, runs: 0, failures: [] as string[] };

  beforeAll(async () => {
    await sim.reset();
    watch = await watchEndpoints();
  });

  afterAll(async () => {
    const { minReady } = await watch.stop();
    console.log(`[robustness] faults injected: ${totals.faults} in ${totals.requests} requests over ${totals.runs} faulted runs, ${totals.failures.length} clean failures${totals.failures.map((line) => `\n  ${line}`).join('')}\nfewest ready DNS endpoints: ${minReady}`);
    await sim.reset();
  });

  it.each(SEEDS)('seed %i: enable all, check-drift and disable all through the faults; plain re-runs converge', async (seed) => {
    const proxy = await startProxy({ seed, share: SHARE, delayMs: 400 });
    const faulted = async (args: string[], codes: number[]) => {
      const result = await spawnPlugin(args, proxy.kubeconfig).done;
      totals.runs++;
      if (result.code !== 0) totals.failures.push(`exit ${result.code}: ${result.stderr.trim().split('\n').at(-1)}`);
      expectCleanEnd(result, codes);
      return result;
    };
    try {
      await faulted(['enable', 'all', '--yes', '--timeout', '60s'], [0, 3, 124]);
      const retried = await plugin(['enable', 'all', '--yes']);
      expect(retried.code, retried.stderr).toBe(0);
      await expectEnabled();

      await faulted(['check-drift'], [0, 3, 124]);
      await faulted(['check-drift', '-o', 'json'], [0, 3, 124]);
      const drift = await plugin(['check-drift']);
      expect(drift.code, drift.stdout + drift.stderr).toBe(0);

      await faulted(['disable', 'all', '--yes', '--timeout', '60s'], [0, 3, 124]);
      const restored = await plugin(['disable', 'all', '--yes']);
      expect(restored.code, restored.stderr).toBe(0);
      await expectDisabled();
    } finally {
      totals.faults += faultsIn(proxy);
      totals.requests += proxy.requests;
      await proxy.stop();
    }
    expect(faultsIn(proxy)).toBeGreaterThan(0);
  });

  it('the kube-dns endpoint watcher never saw zero ready endpoints', async () => {
    const { minReady, events } = await watch.stop();
    expect(events).toBeGreaterThan(0);
    expect(minReady).toBeGreaterThanOrEqual(1);
    watch = await watchEndpoints();
  });
});
