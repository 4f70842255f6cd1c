// Item 7: DNS queries failed during `enable all` beside the documented procedure, on the
// same simulator with the same start-up delay: CoreDNS runs for real in the copies' pods
// (test/sim's process runner), a pod starts seconds after its bind (the image pull), and
// the DNS probe queries a ready kube-dns endpoint every 50 ms from before the first
// command until the copies are rolled out. Reset before each run.
import { settled } from './enable.ts';
import { sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { now, run } from './lib/run.ts';
import { inTurns, median, seconds, table } from './lib/stats.ts';
import { loadGuide, runGuide } from './guide.ts';
import type { DnsProbeResult } from '../test/sim/sim.ts';

/** The simulated image pull (mean, ±1/3 jitter), as in the e2e tests. */
const START_DELAY_MS = 3000;

interface Sample {
  dns: DnsProbeResult;
  /** From the first command to the copies rolled out. */
  ms: number;
  /** Exit codes other than 0 (the plugin's, or the guide's commands'). */
  failedCommands: number;
}

async function measured(work: () => Promise<number>): Promise<Sample> {
  await sim.reset();
  await sim.setStartDelay(START_DELAY_MS);
  const probe = await sim.startDnsProbe();
  const startedAt = now();
  let failedCommands: number;
  try {
    failedCommands = await work();
    await settled();
  } catch (error) {
    await probe.stop(0).catch(() => undefined);
    throw error;
  }
  const ms = now() - startedAt;
  return { dns: await probe.stop(), ms, failedCommands };
}

const cells = (samples: Sample[], pick: (s: DnsProbeResult) => number): string => {
  const values = samples.map((s) => pick(s.dns));
  return `${median(values)} (${Math.min(...values)}–${Math.max(...values)})`;
};

export async function benchDns(context: Context): Promise<string> {
  const guide = loadGuide(context.repo);
  const count = rounds(context, 3, 1);
  context.log(`DNS under enable all vs the documented procedure: ${count} rounds in turns, CoreDNS running, start-up delay ${START_DELAY_MS} ms …`);
  const samples = await inTurns<Sample>(
    [
      { label: 'plugin', run: () => measured(async () => ((await run(context.plugin, ['enable', 'all', '--yes'], { env: context.cluster.env })).code === 0 ? 0 : 1)) },
      { label: 'guide', run: () => measured(async () => (await runGuide(guide, context.cluster.env)).failed.length) },
    ],
    count,
  );
  await sim.reset();
  const plugin = samples.get('plugin')!;
  const manual = samples.get('guide')!;
  const row = (label: string, pick: (s: DnsProbeResult) => number, target = '') => [label, cells(plugin, pick), cells(manual, pick), target];
  const worst = Math.max(...plugin.map((s) => s.dns.failed));
  const goal = context.target('7. DNS queries failed during enable all (max of runs)', `${worst} (guide: median ${median(manual.map((s) => s.dns.failed))})`, '= 0', worst === 0);
  return [
    '## 7. DNS queries failed during `enable all` beside the documented procedure',
    '',
    `${count} run(s) of each side in turns, \`sim.reset()\` before each. CoreDNS runs for real in every coredns pod (the simulator's process runner; Ready comes from its /ready probe), and each pod starts ${START_DELAY_MS / 1000} s (±1/3) after its bind, standing for the image pull. The DNS probe (test/sim/dns-probe.ts) sends one UDP query every 50 ms to a random ready kube-dns endpoint, as kube-proxy would pick it, alternating \`kubernetes.default.svc.cluster.local\` and a name answered through \`forward\`, from before the first command until the copies are rolled out. A tick with no ready endpoint is a failed query: on a cluster the Service would have nowhere to send it. Median (min–max) of runs.`,
    '',
    table(
      ['per run', 'plugin (`enable all --yes`)', 'guide (its commands verbatim)', 'target'],
      [
        row('queries (50 ms ticks)', (s) => s.sent + s.noEndpoint + s.unreachable),
        row('**failed**', (s) => s.failed, goal),
        row('— no ready kube-dns endpoint', (s) => s.noEndpoint),
        row('— timeouts', (s) => s.timeouts),
        row('— SERVFAIL', (s) => s.servfails),
        row('— wrong answer', (s) => s.wrong),
        row('answered', (s) => s.answered),
        ['from the first command to the copies rolled out, s', seconds(median(plugin.map((s) => s.ms))), seconds(median(manual.map((s) => s.ms))), ''],
        ['commands that failed', String(Math.max(...plugin.map((s) => s.failedCommands))), String(Math.max(...manual.map((s) => s.failedCommands))), ''],
      ],
      ['l', 'r', 'r', 'l'],
    ),
    '',
    "The guide scales the original coredns to 0 right after creating its copy, before the copy's pod has even started: every query in that window fails. `enable` scales the original down only once the copy's pods are Ready endpoints of kube-dns.",
    '',
  ].join('\n');
}
