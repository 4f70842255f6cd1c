import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sim } from '../lib/plugin.ts';
import { expectDisabled, expectEnabled, expectOneLineFailure, spawnPlugin, startProxy } from '../lib/robustness.ts';

// HTTP/2 session loss through the fault proxy, as the API server speaks it (ALPN h2): a
// GOAWAY or a refused stream is sent again even for a create; a session gone silent (TCP
// open, PINGs unanswered) is found dead and replaced; a server gone silent altogether ends
// the run in one line, with no --request-timeout.
const every = (step: number, upTo: number) => Array.from({ length: Math.floor(upTo / step) }, (_, i) => (i + 1) * step);

describe('HTTP/2 session loss between the plugin and the API server', () => {
  const figures: string[] = [];
  beforeAll(() => sim.reset());
  afterAll(async () => {
    console.log(`[robustness] HTTP/2: ${figures.join('; ')}`);
    await sim.reset();
  });

  it('speaks HTTP/2 to a server offering h2 by ALPN, and HTTP/1.1 still works where h2 is turned off', async () => {
    const proxy = await startProxy({ seed: 1 });
    try {
      const h2 = await spawnPlugin(['status', 'all'], proxy.kubeconfig).done;
      expect(h2.code, h2.stderr).toBe(0);
      expect(proxy.alpn).toEqual({ h2: 1 }); // one TLS connection, one session, every request on it
      process.env.KAPSULE_HA_HTTP1 = '1';
      const http1 = await spawnPlugin(['status', 'all'], proxy.kubeconfig).done.finally(() => delete process.env.KAPSULE_HA_HTTP1);
      expect(http1.code, http1.stderr).toBe(0);
      expect(proxy.alpn['http/1.1']).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.stop();
    }
  });

  it('GOAWAY and refused streams on every 4th request: enable all and disable all each succeed in one run (no write lost, none doubled)', async () => {
    const proxy = await startProxy({ seed: 2, nth: every(4, 2_000), faults: ['goaway', 'refused'] });
    try {
      const enabled = await spawnPlugin(['enable', 'all', '--yes'], proxy.kubeconfig).done;
      expect(enabled.code, enabled.stderr).toBe(0);
      await expectEnabled();
      const disabled = await spawnPlugin(['disable', 'all', '--yes'], proxy.kubeconfig).done;
      expect(disabled.code, disabled.stderr).toBe(0);
      await expectDisabled();
      figures.push(`GOAWAY ${proxy.injected.goaway} and refused streams ${proxy.injected.refused} in ${proxy.requests} requests of enable all + disable all, ${proxy.alpn.h2} sessions, one run each`);
      expect(proxy.injected.goaway).toBeGreaterThan(0);
      expect(proxy.injected.refused).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
    }
  });

  it('a session gone silent (TCP open, PINGs unanswered) is replaced: status succeeds without --request-timeout', async () => {
    const proxy = await startProxy({ seed: 3, nth: [2], faults: ['silent'] });
    try {
      const started = Date.now();
      const result = await spawnPlugin(['status', 'all'], proxy.kubeconfig).done;
      figures.push(`status past a silent session in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      expect(result.code, result.stderr).toBe(0);
      expect(proxy.injected.silent).toBe(1);
      expect(proxy.alpn.h2).toBe(2); // the frozen session, then a new one
    } finally {
      await proxy.stop();
    }
  });

  it('a server gone silent for good: status gives up in one line naming the server, exit 3, well under 2 minutes, without --request-timeout', async () => {
    const proxy = await startProxy({ seed: 4, silentFrom: 2 });
    try {
      const started = Date.now();
      const result = await spawnPlugin(['status', 'all'], proxy.kubeconfig).done;
      const seconds = (Date.now() - started) / 1000;
      figures.push(`status against a silent server gave up in ${seconds.toFixed(1)}s: ${result.stderr.trim()}`);
      expectOneLineFailure(result, 3, new RegExp(`^error: the Kubernetes API server at ${proxy.url.replace(/\./g, '\\.')} (stopped answering|did not answer)`));
      expect(seconds).toBeLessThan(120);
    } finally {
      await proxy.stop();
    }
  });
});
