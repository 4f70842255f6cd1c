import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plugin, sim, watchEndpoints } from '../lib/plugin.ts';
import { expectDisabled, expectEnabled, spawnPlugin, startProxy } from '../lib/robustness.ts';

// 26 kill points per verb by default, spread evenly over all the requests a run makes (52
// kills, about 4 minutes here with the machine shared); KAPSULE_HA_KILLS_PER_VERB=all tries
// every N of both verbs (about 120 kills).
//
// cilium-operator and coredns (the DNS endpoints are the point): a real metrics-server is
// Ready only after its probe's 20 s delay and two scrapes, so with it every re-run of the
// 52 would wait about 25 s more (the suite's longest file, 15 minutes, measured). Its waits
// are the same engine's; sigint.test.ts and metrics-cutover.test.ts interrupt and cut it over.
const COMPONENTS = ['cilium-operator', 'coredns'];
const PER_VERB = process.env.KAPSULE_HA_KILLS_PER_VERB === 'all' ? Infinity : Number(process.env.KAPSULE_HA_KILLS_PER_VERB ?? 26) || 26;

/** `count` request numbers spread evenly over 1..total (every one when count >= total). */
const spread = (total: number, count: number): number[] =>
  count >= total ? Array.from({ length: total }, (_, i) => i + 1) : Array.from({ length: count }, (_, i) => 1 + Math.floor((i * total) / count));

type Moment = 'before' | 'after';

describe('SIGKILL at the N-th API request of enable and disable (cilium-operator, coredns)', () => {
  // Which run to kill, when: counted from the first request of the run, before the request
  // reaches the server or after the server answered but before the plugin hears it.
  const target: { child?: ChildProcess; base: number; killAt: number; moment: Moment; killed: boolean } = { base: 0, killAt: 0, moment: 'before', killed: false };
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const kill = (index: number, moment: Moment) => {
    if (!target.child || target.killed || target.moment !== moment || index - target.base !== target.killAt) return false;
    target.child.kill('SIGKILL');
    target.killed = true;
    return true;
  };

  beforeAll(async () => {
    await sim.reset();
    proxy = await startProxy({ seed: 0 }, {
      before: (index) => (kill(index, 'before') ? 'drop' : undefined),
      after: (index) => void kill(index, 'after'),
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    await sim.reset();
  });

  async function run(args: string[], killAt = 0, moment: Moment = 'before') {
    Object.assign(target, { base: proxy.requests, killAt, moment, killed: false });
    const running = spawnPlugin(args, proxy.kubeconfig);
    target.child = running.child;
    const result = await running.done;
    target.child = undefined;
    return { result, killed: target.killed, requests: proxy.requests - target.base };
  }

  it('after each kill a plain re-run converges, and the DNS endpoints never drop to zero', async () => {
    // How many requests an uninterrupted run makes (waits watch, so it varies a little).
    const enable = await run(['enable', ...COMPONENTS, '--yes']);
    expect(enable.result.code, enable.result.stderr).toBe(0);
    const disable = await run(['disable', ...COMPONENTS, '--yes']);
    expect(disable.result.code, disable.result.stderr).toBe(0);

    const watch = await watchEndpoints();
    const kills = { enable: 0, disable: 0, tried: 0, moments: { before: 0, after: 0 } };
    const points = { enable: spread(enable.requests, PER_VERB), disable: spread(disable.requests, PER_VERB) };
    try {
      for (let round = 0; round < Math.max(points.enable.length, points.disable.length); round++) {
        // Kill before the request reaches the server, or once the server has acted on it.
        const moment: Moment = round % 2 === 0 ? 'before' : 'after';
        for (const verb of ['enable', 'disable'] as const) {
          const n = points[verb][round] ?? points[verb].at(-1)!;
          const killed = await run([verb, ...COMPONENTS, '--yes'], n, moment);
          kills.tried++;
          if (killed.killed) {
            kills[verb]++;
            kills.moments[moment]++;
            expect(killed.result.signal, `${verb} killed at request ${n}`).toBe('SIGKILL');
          } else {
            // It finished in fewer requests than that: it must have succeeded.
            expect(killed.result.code, `${verb} not killed at ${n}: ${killed.result.stderr}`).toBe(0);
          }
          const rerun = await plugin([verb, ...COMPONENTS, '--yes']);
          expect(rerun.code, `${verb} re-run after a kill at request ${n} (${moment}): ${rerun.stderr}`).toBe(0);
          if (verb === 'enable') await expectEnabled(COMPONENTS);
          else await expectDisabled();
        }
      }
    } finally {
      const { minReady, events, checks } = await watch.stop();
      console.log(
        `[robustness] kills: ${kills.enable} of enable (${enable.requests} requests), ${kills.disable} of disable (${disable.requests} requests), ` +
          `${kills.moments.before} before forwarding, ${kills.moments.after} after the server answered; fewest ready DNS endpoints: ${minReady} ` +
          `(${events} changes watched, ${checks} comparisons with a fresh list)`,
      );
      // Every round enables and disables coredns: the watch must have seen the endpoints move.
      expect(events).toBeGreaterThanOrEqual(kills.tried);
      expect(minReady).toBeGreaterThanOrEqual(1);
    }
    expect(kills.enable + kills.disable).toBeGreaterThanOrEqual(Math.min(50, 2 * PER_VERB - 4));
  }, 900_000);
});
