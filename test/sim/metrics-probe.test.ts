// The metrics probe can fail: with metrics-server scaled to 0 the API server has no endpoint
// for the aggregated API, and the probe must count every request from then on as failed and
// see the APIService leave Available. The e2e tests rely on it seeing what they assert never happens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsProbe } from './metrics-probe.ts';
import * as sim from './sim.ts';

const scale = (replicas: number) => sim.kubectl(['scale', 'deployment/metrics-server', '-n', 'kube-system', `--replicas=${replicas}`]);

describe('the metrics probe', () => {
  beforeAll(() => sim.reset());
  afterAll(() => sim.reset());

  it('counts complete answers while metrics-server serves', async () => {
    const probe = await startMetricsProbe();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const result = await probe.stop(0);
    expect(result.sent).toBeGreaterThanOrEqual(4);
    expect(result, result.firstFailures.join('\n')).toMatchObject({ failed: 0, answered: result.sent, apiServiceAvailableAtStart: true, apiServiceUnavailable: 0 });
  });

  it('fails, and sees the APIService unavailable, once metrics-server is scaled to 0', async () => {
    const probe = await startMetricsProbe();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await scale(0)).code).toBe(0);
    for (let i = 0; i < 60 && probe.counts().failed < 4; i++) await new Promise((resolve) => setTimeout(resolve, 500));
    const result = await probe.stop(2000);
    expect(result.answered).toBeGreaterThan(0);
    expect(result.failed, JSON.stringify(result)).toBeGreaterThanOrEqual(4);
    expect(result.unavailable + result.errors + result.timeouts).toBe(result.failed - result.missingNodes);
    expect(result.firstFailures[0]).toMatch(/unavailable|errors|timeouts/);
    expect(result.withoutMetricsMs).toBeGreaterThan(1000);
    expect(result.apiServiceUnavailable).toBeGreaterThanOrEqual(1);
    // Each failure says why, as far as the cluster network shows: a connection refused by the
    // original's stopping pod (the termination race), none refused (no endpoint left), or that
    // conntrack lost events under the machine's load (then it says so rather than guess).
    for (const failure of result.firstFailures) {
      expect(failure).toMatch(/\((\+\d+ms \S+ refused a connection; that endpoint: .*metrics-server-[a-z0-9]+-[a-z0-9]+ (terminating|gone)|\+\d+ms a connection kube-proxy did not rewrite|no connection to the Service was refused|no refused connection seen, but conntrack lost events)/);
    }
    for (const pod of result.terminationRaces) expect(pod).toMatch(/^metrics-server-(?!ha-)/);
  }, 60_000);
});
