import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin, sim, watchEndpoints } from '../lib/plugin.ts';
import { deployments, expectCleanEnd, expectDisabled, expectEnabled, faultsIn, spawnPlugin, startProxy } from '../lib/robustness.ts';
import type { Fault, FaultProxy } from '../lib/fault-proxy.ts';

// 10% of the requests faulted over HTTP/2 (5xx before or after the server acted, 429 with
// Retry-After, resets before or after forwarding, delays, GOAWAY, refused streams), a
// different sequence per seed. Reads must get through without a re-run; writes converge.
const SEEDS = [11, 23, 37];
const SHARE = 0.1;
const MAX_RUNS = 6;
const READS = [['status', 'all'], ['check-drift', 'all'], ['status', 'all', '-o', 'json'], ['check-drift', 'all', '-o', 'yaml']];
/** Faults that fail a request unless it is retried (a delay only slows it down). */
const failing = (injected: Record<Fault, number>) => Object.entries(injected).filter(([fault]) => fault !== 'delay').reduce((sum, [, count]) => sum + count, 0);
const byKind = (proxy: FaultProxy) => Object.entries(proxy.injected).filter(([, count]) => count > 0).map(([fault, count]) => `${fault} ${count}`).join(', ');

describe(`with ${SHARE * 100}% of API requests faulted over HTTP/2, reads succeed at once and enable/disable all converge`, () => {
  const lines: string[] = [];

  beforeAll(() => sim.reset());

  afterAll(async () => {
    console.log(`[robustness] faults over HTTP/2, per seed:\n  ${lines.join('\n  ')}`);
    await sim.reset();
  });

  it.each(SEEDS)('seed %i: status and check-drift need no re-run; enable all and disable all converge; DNS never loses its last endpoint', async (seed) => {
    const watch = await watchEndpoints();
    const proxy = await startProxy({ seed, share: SHARE, delayMs: 400 });
    const runs = { enable: 0, disable: 0, reads: 0, readFaults: 0, failures: [] as string[] };
    let runsTotal = 0;
    /** Runs the verb through the faults until it succeeds; how many runs it took. */
    const converge = async (args: string[]): Promise<number> => {
      for (let run = 1; run <= MAX_RUNS; run++) {
        const result = await spawnPlugin(args, proxy.kubeconfig).done;
        runsTotal++;
        expectCleanEnd(result, [0, 3, 124]);
        if (result.code === 0) return run;
        runs.failures.push(`${args[0]} exit ${result.code}: ${result.stderr.trim().split('\n').at(-1)}`);
      }
      throw new Error(`${args.join(' ')} did not converge in ${MAX_RUNS} runs through the faults: ${runs.failures.join('; ')}`);
    };
    /** Every read must succeed on its first run: the faults are retried inside it. */
    const readAll = async (drift: number) => {
      const before = failing(proxy.injected);
      for (const args of READS) {
        const result = await spawnPlugin(args, proxy.kubeconfig).done;
        runsTotal++;
        runs.reads++;
        expect(result.code, `${args.join(' ')} (seed ${seed}): ${result.stderr}`).toBe(args[0] === 'check-drift' ? drift : 0);
        expect(result.stderr).not.toMatch(/^(error: |Error from server )/m);
      }
      runs.readFaults += failing(proxy.injected) - before;
    };
    let minReady = Number.NaN;
    let endpointEvents = 0;
    try {
      await readAll(0); // the originals only
      runs.enable = await converge(['enable', 'all', '--yes', '--timeout', '60s']);
      await expectEnabled();
      await readAll(0); // the HA form
      runs.disable = await converge(['disable', 'all', '--yes', '--timeout', '60s']);
      await expectDisabled();
    } finally {
      ({ minReady, events: endpointEvents } = await watch.stop());
      await proxy.stop();
      lines.push(
        `seed ${seed}: ${faultsIn(proxy)} faults in ${proxy.requests} requests (${byKind(proxy)}); ` +
          `${runs.reads} reads re-run 0 times (${runs.readFaults} failing faults hit them); ` +
          `enable all converged in ${runs.enable || '-'} run(s), disable all in ${runs.disable || '-'}; ` +
          `fewest ready DNS endpoints ${minReady}; TLS connections by ALPN ${JSON.stringify(proxy.alpn)}` +
          runs.failures.map((line) => `\n    ${line}`).join(''),
      );
    }
    // The reads met faults that only a retry gets past; the plugin spoke HTTP/2 to the proxy.
    expect(runs.readFaults).toBeGreaterThan(0);
    expect(proxy.alpn.h2).toBeGreaterThanOrEqual(runsTotal);
    expect(proxy.alpn['http/1.1']).toBeUndefined();
    expect(endpointEvents).toBeGreaterThan(0);
    expect(minReady).toBeGreaterThanOrEqual(1);
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
