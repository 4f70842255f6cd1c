// The e2e tests' view of the metrics API: the metrics probe around a piece of work, the
// assertion every cut-over must pass, and an application with a CPU HorizontalPodAutoscaler
// (the real HPA controller of kube-controller-manager) whose ScalingActive is followed.
import { expect } from 'vitest';
import { sim } from './plugin.ts';
import type { MetricsProbeResult } from '../sim/metrics-probe.ts';
import { startMetricsProbe } from '../sim/metrics-probe.ts';
import { underProbe } from './under-probe.ts';

/** Runs `work` under the metrics probe; the probe keeps going for a second after it. */
export async function underMetricsProbe<T>(work: () => Promise<T>): Promise<{ value: T; metrics: MetricsProbeResult }> {
  const { value, result } = await underProbe(await startMetricsProbe(), work);
  return { value, metrics: result };
}

/**
 * The original metrics-server stops listening at SIGTERM: it runs without
 * --shutdown-delay-duration, as the seed (upstream's manifest, Kapsule's) has it. Until
 * kube-proxy has dropped its endpoint (one sync, under a second), a connection the API server
 * makes to the Service may still be sent to it and refused: a 503 for that request, as on a
 * real cluster. The plugin may not change the original's args, so a cut-over that scales the
 * original down may lose at most that: 2 requests (500 ms apart), under 1.5 s, each one the
 * probe explains as a connection refused by the original's stopping pod (terminationRaces).
 * The copies keep serving through their shutdown delay, so their rollouts, drains and removal
 * lose none.
 */
export const TERMINATION_RACE = { requests: 2, ms: 1500 } as const;

/** The original's pods (metrics-server-<hash>-<id>), not the copy's. */
const ORIGINAL_POD = /^metrics-server-(?!ha-)[a-z0-9]+-[a-z0-9]+$/;

/**
 * Every request answered with every node, the APIService Available throughout, and the probe
 * alive. `originalScaledDown`: the original's pod is deleted during `what`, so the race above
 * is allowed, and nothing else; otherwise none may fail.
 */
export function expectMetricsServed(metrics: MetricsProbeResult, what: string, options: { originalScaledDown?: boolean } = {}): void {
  const summary = `${what}: ${JSON.stringify({ ...metrics, firstFailures: undefined })}\n${metrics.firstFailures.join('\n')}`;
  console.log(
    `[metrics probe] ${what}: ${metrics.sent} requests in ${(metrics.windowMs / 1000).toFixed(1)} s, ${metrics.answered} complete, ` +
      `${metrics.failed} failed (${metrics.terminationRaces.length} to the termination race), ${(metrics.withoutMetricsMs / 1000).toFixed(1)} s without metrics` +
      metrics.firstFailures.map((failure) => `\n  ${failure}`).join(''),
  );
  expect(metrics.apiServiceAvailableAtStart, summary).toBe(true);
  if (options.originalScaledDown) {
    // Only connections refused by the original's stopping pod: no missing node, no timeout, no other error.
    expect(metrics.failed, summary).toBe(metrics.terminationRaces.length);
    for (const pod of metrics.terminationRaces) expect(pod, summary).toMatch(ORIGINAL_POD);
    expect(metrics.failed, summary).toBeLessThanOrEqual(TERMINATION_RACE.requests);
    expect(metrics.withoutMetricsMs, summary).toBeLessThan(TERMINATION_RACE.ms);
  } else {
    expect(metrics.failed, summary).toBe(0);
  }
  expect(metrics.answered + metrics.failed, summary).toBe(metrics.sent);
  expect(metrics.apiServiceUnavailable, summary).toBe(0);
  // One request per 500 ms tick: at least a third of them, whatever the machine's load.
  expect(metrics.sent, summary).toBeGreaterThanOrEqual(Math.max(3, Math.floor(metrics.windowMs / 500 / 3)));
}

const HPA_APP = 'web';

/**
 * A Deployment of kwok pods (2 replicas, 100m CPU requested, 50m used as kwok's
 * ClusterResourceUsage reads it from the annotation) and a CPU HPA on it, in a fresh namespace.
 * Resolves once the HPA controller has computed a utilisation (ScalingActive True).
 */
export async function startHpaApp(): Promise<{ namespace: string; watcher: ScalingActiveWatcher }> {
  const namespace = await sim.createTestNamespace('hpa');
  const manifest = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: HPA_APP, namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: HPA_APP } },
        template: {
          metadata: { labels: { app: HPA_APP }, annotations: { 'kwok.x-k8s.io/usage-cpu': '50m', 'kwok.x-k8s.io/usage-memory': '20Mi' } },
          spec: { containers: [{ name: HPA_APP, image: 'registry.example/web:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
        },
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: HPA_APP, namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: HPA_APP },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    },
  ];
  const applied = await sim.kubectl(['apply', '-f', '-'], { input: manifest.map((object) => JSON.stringify(object)).join('\n') });
  if (applied.code !== 0) throw new Error(`creating the HPA app failed: ${applied.stderr}`);
  const watcher = watchScalingActive(namespace);
  for (let i = 0; i < 120 && watcher.current() !== 'True'; i++) await new Promise((resolve) => setTimeout(resolve, 1000));
  if (watcher.current() !== 'True') throw new Error(`the HPA never became ScalingActive: ${JSON.stringify(await hpa(namespace))}`);
  watcher.reset();
  return { namespace, watcher };
}

async function hpa(namespace: string): Promise<any> {
  const result = await sim.kubectl(['get', 'hpa', HPA_APP, '-n', namespace, '-o', 'json']);
  if (result.code !== 0) throw new Error(`kubectl get hpa failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export interface ScalingActiveWatcher {
  /** The ScalingActive condition's status at the last look. */
  current(): string | undefined;
  /** Looks where ScalingActive was not True since the last reset, with its reason and message. */
  notActive(): string[];
  /** Looks taken since the last reset (the watcher was alive). */
  looks(): number;
  reset(): void;
  stop(): void;
}

/** Reads the HPA every second: its ScalingActive condition (False when the controller got no metrics). */
export function watchScalingActive(namespace: string): ScalingActiveWatcher {
  let status: string | undefined;
  let notActive: string[] = [];
  let looks = 0;
  let stopped = false;
  const look = async () => {
    while (!stopped) {
      try {
        const conditions: any[] = (await hpa(namespace)).status?.conditions ?? [];
        const active = conditions.find((condition) => condition.type === 'ScalingActive');
        status = active?.status;
        looks++;
        if (status !== undefined && status !== 'True' && notActive.length < 20) notActive.push(`${new Date().toISOString()} ${status} ${active?.reason}: ${active?.message}`);
      } catch (error) {
        if (notActive.length < 20) notActive.push(`reading the HPA failed: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void look();
  return {
    current: () => status,
    notActive: () => [...notActive],
    looks: () => looks,
    reset: () => {
      notActive = [];
      looks = 0;
    },
    stop: () => {
      stopped = true;
    },
  };
}
