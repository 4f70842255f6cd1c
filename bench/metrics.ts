// Item 10: the metrics API during `enable all` beside the documented procedure, on the same
// simulator with the same start-up delay: metrics-server runs for real in its pods (the
// process runner; Ready from its /readyz, after it has scraped the simulated kubelets), and
// the metrics probe asks the API server for /apis/metrics.k8s.io/v1beta1/nodes every 500 ms,
// as `kubectl top nodes` and every HPA do, from before the first command until the copies
// are rolled out and metrics are served again. Reset before each run.
import { setTimeout as sleep } from 'node:timers/promises';
import { settled } from './enable.ts';
import { sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { now } from './lib/run.ts';
import { median, medianRange, seconds, table } from './lib/stats.ts';
import { enableAllBesideGuide } from './guide.ts';
import { startMetricsProbe, type MetricsProbeResult } from '../test/sim/metrics-probe.ts';

/** The simulated image pull (mean, ±1/3 jitter), as in the e2e tests. */
const START_DELAY_MS = 3000;

interface Sample {
  metrics: MetricsProbeResult;
  ms: number;
  failedCommands: number;
}

async function measured(work: () => Promise<number>): Promise<Sample> {
  await sim.reset();
  await sim.setStartDelay(START_DELAY_MS);
  const probe = await startMetricsProbe();
  const startedAt = now();
  let failedCommands: number;
  try {
    failedCommands = await work();
    await settled();
    // The guide does not wait: metrics come back only once its copy passes /readyz (up to 2 min).
    for (let i = 0; i < 240 && !probe.serving(); i++) await sleep(500);
  } catch (error) {
    await probe.stop(0).catch(() => undefined);
    throw error;
  }
  const ms = now() - startedAt;
  return { metrics: await probe.stop(), ms, failedCommands };
}

const cells = (samples: Sample[], pick: (s: MetricsProbeResult) => number, format?: (n: number) => string): string => medianRange(samples.map((s) => pick(s.metrics)), format);

export async function benchMetrics(context: Context): Promise<string> {
  const count = rounds(context, 3, 1);
  context.log(`metrics API under enable all vs the documented procedure: ${count} rounds in turns, metrics-server running, start-up delay ${START_DELAY_MS} ms …`);
  const { plugin, guide: manual } = await enableAllBesideGuide<Sample>(context, count, measured);
  const s = (ms: number) => seconds(ms);
  const row = (label: string, pick: (m: MetricsProbeResult) => number, format?: (n: number) => string, target = '') => [label, cells(plugin, pick, format), cells(manual, pick, format), target];
  const worst = Math.max(...plugin.map((sample) => sample.metrics.failed));
  const goal = context.target('11. metrics requests failed during enable all (max of runs)', `${worst} (guide: median ${median(manual.map((sample) => sample.metrics.failed))})`, '= 0', worst === 0);
  return [
    '## 11. The metrics API during `enable all` beside the documented procedure',
    '',
    `${count} run(s) of each side in turns, \`sim.reset()\` before each. metrics-server runs for real in every metrics-server pod (the simulator's process runner; Ready from its /readyz probe, which passes only after it has scraped the simulated kubelets, with the seed's \`initialDelaySeconds: 20\`), each pod starting ${START_DELAY_MS / 1000} s (±1/3) after its bind. The metrics probe (test/sim/metrics-probe.ts) asks the API server for \`/apis/metrics.k8s.io/v1beta1/nodes\` every 500 ms, as \`kubectl top nodes\` and every HPA do, from before the first command until the copies are rolled out and an answer is complete again. A request fails on a 503 (no ready endpoint behind the APIService), another status, a node missing from the answer, or no answer within 2 s. Median (min–max) of runs.`,
    '',
    table(
      ['per run', 'plugin (`enable all --yes`)', 'guide (its commands verbatim)', 'target'],
      [
        row('requests (500 ms ticks)', (m) => m.sent),
        row('**failed**', (m) => m.failed, undefined, goal),
        row('— 503 unavailable', (m) => m.unavailable),
        row('— nodes missing', (m) => m.missingNodes),
        row('— other errors', (m) => m.errors),
        row('— timeouts', (m) => m.timeouts),
        row('**seconds without metrics** (failed request to the next complete answer, summed)', (m) => m.withoutMetricsMs, s),
        row('APIService not Available, s', (m) => m.apiServiceUnavailableMs, s),
        ['from the first command to metrics served by the copies, s', seconds(median(plugin.map((x) => x.ms))), seconds(median(manual.map((x) => x.ms))), ''],
        ['commands that failed', String(Math.max(...plugin.map((x) => x.failedCommands))), String(Math.max(...manual.map((x) => x.failedCommands))), ''],
      ],
      ['l', 'r', 'r', 'l'],
    ),
    '',
    "The guide scales the original metrics-server to 0 right after creating its copy; a real metrics-server is Ready only after it has scraped the kubelets (the seed's probe waits 20 s), so `kubectl top` and every HPA have no metrics until then. `enable` scales the original down only once the copy's pods are ready endpoints of the Service the APIService names and the APIService is Available.",
    '',
  ].join('\n');
}
