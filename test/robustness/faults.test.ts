import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin, sim, watchEndpoints, type EndpointWatch } from '../e2e/plugin.ts';
import { deployments, expectCleanEnd, expectDisabled, expectEnabled, faultsIn, spawnPlugin, startProxy } from './helpers.ts';

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

describe('a write whose answer is lost', () => {
  beforeAll(() => sim.reset());
  afterAll(() => sim.reset());

  it('a create answered 500 after the server made it fails in one line that says to re-run, and the re-run adopts the object', async () => {
    let hit = 0;
    const proxy = await startProxy({ seed: 5 }, {
      before: (_, method, path) => (method === 'POST' && path.includes('/deployments') && hit++ === 0 ? '500-after' : undefined),
    });
    try {
      const result = await spawnPlugin(['enable', 'coredns', '--yes'], proxy.kubeconfig).done;
      expectCleanEnd(result, [3]);
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^Error from server \(InternalError\): injected 500 by the fault proxy; .*re-run to continue/);
    } finally {
      await proxy.stop();
    }
    const rerun = await plugin(['enable', 'coredns', '--yes']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await plugin(['check-drift', 'coredns'])).code).toBe(0);
  });

  it('a guarded patch applied but whose answer was cut is retried, its test fails, and the re-plan finds nothing left to do', async () => {
    let hit = 0;
    const proxy = await startProxy({ seed: 6 }, {
      before: (_, method, path) => (method === 'PATCH' && path.includes('/deployments/cilium-operator') && hit++ === 0 ? 'reset-after' : undefined),
    });
    try {
      const result = await spawnPlugin(['enable', 'cilium-operator', '--yes'], proxy.kubeconfig).done;
      expect(result.code, result.stderr).toBe(0);
      expect(hit).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.stop();
    }
    expect((await deployments()).get('cilium-operator')).toMatchObject({ replicas: 3, ready: 3 });
  });
});
