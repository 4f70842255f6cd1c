// Item 7: DNS queries failed during `enable all` beside the documented procedure, on the
// same simulator with the same start-up delay: CoreDNS runs for real in the copies' pods
// (test/sim's process runner), a pod starts seconds after its bind (the image pull), and
// two DNS probes query every 50 ms from before the first command until the copies are
// rolled out: one as an application asks (the kube-dns ClusterIP from a pod namespace,
// through kube-proxy), one straight to a ready kube-dns endpoint. Reset before each run.
import { settled } from './enable.ts';
import { sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { now } from './lib/run.ts';
import { median, medianRange, seconds, table } from './lib/stats.ts';
import { enableAllBesideGuide } from './guide.ts';
import { startDnsProbe, type DnsProbeResult } from '../test/sim/dns-probe.ts';

/** The simulated image pull (mean, ±1/3 jitter), as in the e2e tests. */
const START_DELAY_MS = 3000;

interface Sample {
  /** Through the Service (client mode): what applications see. */
  dns: DnsProbeResult;
  /** To a random ready endpoint (endpoint mode), beside it. */
  perEndpoint: DnsProbeResult;
  /** From the first command to the copies rolled out. */
  ms: number;
  /** Exit codes other than 0 (the plugin's, or the guide's commands'). */
  failedCommands: number;
}

async function measured(work: () => Promise<number>): Promise<Sample> {
  await sim.reset();
  await sim.setStartDelay(START_DELAY_MS);
  const probe = await startDnsProbe({ mode: 'client' });
  const perEndpoint = await startDnsProbe({ mode: 'endpoint' });
  const startedAt = now();
  let failedCommands: number;
  try {
    failedCommands = await work();
    await settled();
  } catch (error) {
    await Promise.all([probe.stop(0).catch(() => undefined), perEndpoint.stop(0).catch(() => undefined)]);
    throw error;
  }
  const ms = now() - startedAt;
  const [dns, endpoint] = await Promise.all([probe.stop(), perEndpoint.stop()]);
  return { dns, perEndpoint: endpoint, ms, failedCommands };
}

const cells = (samples: Sample[], pick: (s: DnsProbeResult) => number, probe: 'dns' | 'perEndpoint' = 'dns'): string => medianRange(samples.map((s) => pick(s[probe])));

export async function benchDns(context: Context): Promise<string> {
  const count = rounds(context, 3, 1);
  context.log(`DNS under enable all vs the documented procedure: ${count} rounds in turns, CoreDNS running, start-up delay ${START_DELAY_MS} ms …`);
  const { plugin, guide: manual } = await enableAllBesideGuide<Sample>(context, count, measured);
  const row = (label: string, pick: (s: DnsProbeResult) => number, target = '', probe: 'dns' | 'perEndpoint' = 'dns') => [label, cells(plugin, pick, probe), cells(manual, pick, probe), target];
  const worst = Math.max(...plugin.map((s) => s.dns.failed));
  const goal = context.target('7. DNS queries failed during enable all (max of runs)', `${worst} (guide: median ${median(manual.map((s) => s.dns.failed))})`, '= 0', worst === 0);
  return [
    '## 7. DNS queries failed during `enable all` beside the documented procedure',
    '',
    `${count} run(s) of each side in turns, \`sim.reset()\` before each. CoreDNS runs for real in every coredns pod (the simulator's process runner; Ready comes from its /ready probe), and each pod starts ${START_DELAY_MS / 1000} s (±1/3) after its bind, standing for the image pull. Two DNS probes (test/sim/dns-probe.ts) each send one UDP query every 50 ms, alternating \`kubernetes.default.svc.cluster.local\` and a name answered through \`forward\`, from before the first command until the copies are rolled out and kube-dns's endpoints have settled: **through the Service** as an application asks (from a pod network namespace of its own to the kube-dns ClusterIP; the simulator's real kube-proxy picks the endpoint, conntrack in the path), and **per endpoint** (to a random ready endpoint of kube-dns, as the probe's own watch sees them; a tick with none is a failed query). Median (min–max) of runs.`,
    '',
    table(
      ['per run', 'plugin (`enable all --yes`)', 'guide (its commands verbatim)', 'target'],
      [
        row('queries through the Service (50 ms ticks)', (s) => s.sent),
        row('**failed, through the Service**', (s) => s.failed, goal),
        row('— timeouts', (s) => s.timeouts),
        row('— SERVFAIL', (s) => s.servfails),
        row('— wrong answer', (s) => s.wrong),
        row('answered', (s) => s.answered),
        row('pods that answered (kube-proxy\'s choice)', (s) => s.endpointsQueried),
        row('failed, per endpoint (beside it)', (s) => s.failed, '', 'perEndpoint'),
        row('— no ready kube-dns endpoint', (s) => s.noEndpoint, '', 'perEndpoint'),
        ['from the first command to the copies rolled out, s', seconds(median(plugin.map((s) => s.ms))), seconds(median(manual.map((s) => s.ms))), ''],
        ['commands that failed', String(Math.max(...plugin.map((s) => s.failedCommands))), String(Math.max(...manual.map((s) => s.failedCommands))), ''],
      ],
      ['l', 'r', 'r', 'l'],
    ),
    '',
    "The guide scales the original coredns to 0 right after creating its copy, before the copy's pod has even started: kube-dns has no ready endpoint in that window (the per-endpoint figure). Through the Service, kube-proxy then falls back to the terminating original, which still serves during its `lameduck 5s`: the window costs queries there only when the copy takes longer than that to turn Ready (a slower image pull, a busier node). `enable` scales the original down only once the copy's pods are Ready endpoints of kube-dns, so it needs neither.",
    '',
  ].join('\n');
}
