// Item 7: round trips. The same commands straight to the simulator and through a relay
// that delays every chunk by 20 ms each way (40 ms round trip, a laptop to a cloud
// region), in turns. Round trips on the critical path = (time delayed − time direct) ÷ RTT:
// protocol-agnostic, TCP and TLS handshakes included. For the plugin, a second count from
// its own request log (-v 6): the longest chain of requests each starting after the one
// before it ended.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditSince, byAgent, KUBECTL_AGENT, PLUGIN_AGENT, sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { kubeconfigVia, startLatencyProxy } from './lib/latency-proxy.ts';
import { ownWork, requestChain, requestIntervals } from './lib/round-trips.ts';
import { runOk } from './lib/run.ts';
import { inTurns, median, ms, ratio, table } from './lib/stats.ts';
import { loadGuide, runGuide } from './guide.ts';

const ONE_WAY_MS = 20;
const RTT_MS = 2 * ONE_WAY_MS;

interface Sample {
  /** Wall time; for enable, its own work (waits for pods left out). */
  ms: number;
  requests: number;
  /** Longest chain of sequential requests in the plugin's -v 6 log (undefined for kubectl). */
  chain?: number;
}

type Network = 'direct' | 'delayed';

export async function benchLatency(context: Context): Promise<string> {
  const count = rounds(context, 3, 1);
  const proxy = await startLatencyProxy(new URL(context.cluster.info.server), ONE_WAY_MS);
  const scratch = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-bench-latency-'));
  const env: Record<Network, NodeJS.ProcessEnv> = {
    direct: context.cluster.env,
    delayed: { ...context.cluster.env, KUBECONFIG: kubeconfigVia(context.cluster.info.kubeconfig, proxy.server, path.join(scratch, 'kubeconfig')) },
  };
  const guide = loadGuide(context.repo);
  context.log(`latency: ${RTT_MS} ms RTT relay vs direct, ${count} rounds in turns (+1 warm-up) …`);

  // check-drift and status look at a cluster enabled by the plugin; the guide leaves copies not ours.
  let enabledByPlugin = false;
  const plugin = (args: string[], network: Network, reset: boolean) => async (): Promise<Sample> => {
    if (reset) await sim.reset();
    else if (!enabledByPlugin) {
      await sim.reset();
      await runOk(context.plugin, ['enable', 'all', '--yes'], { env: env.direct });
    }
    enabledByPlugin = true;
    const offset = sim.auditOffset();
    const result = await runOk(context.plugin, [...args, '-v', '6'], { env: env[network], codes: [0, 1] });
    const requests = (await auditSince(offset)).filter(byAgent(PLUGIN_AGENT)).length;
    const logged = requestIntervals(result.lines);
    return { ms: reset ? ownWork(result, logged) : result.ms, requests, chain: requestChain(logged, RTT_MS / 4) };
  };
  const manual = (network: Network) => async (): Promise<Sample> => {
    await sim.reset();
    enabledByPlugin = false;
    const offset = sim.auditOffset();
    const result = await runGuide(guide, env[network]);
    return { ms: result.ms, requests: (await auditSince(offset)).filter(byAgent(KUBECTL_AGENT)).length };
  };
  const version = (network: Network) => async (): Promise<Sample> => ({ ms: (await runOk(context.plugin, ['version', '--client'], { env: env[network] })).ms, requests: 0 });

  const items = [
    { label: '`enable all --yes` (own work)', run: plugin(['enable', 'all', '--yes'], 'direct', true), delayed: plugin(['enable', 'all', '--yes'], 'delayed', true) },
    { label: "the guide's procedure (kubectl)", run: manual('direct'), delayed: manual('delayed') },
    { label: '`check-drift all`', run: plugin(['check-drift', 'all'], 'direct', false), delayed: plugin(['check-drift', 'all'], 'delayed', false) },
    { label: '`status all`', run: plugin(['status', 'all'], 'direct', false), delayed: plugin(['status', 'all'], 'delayed', false) },
    { label: '`version --client` (start-up, no request)', run: version('direct'), delayed: version('delayed') },
  ];
  let samples: Map<string, Sample[]>;
  try {
    samples = await inTurns(
      items.flatMap((item) => [
        { label: `${item.label}|direct`, run: item.run },
        { label: `${item.label}|delayed`, run: item.delayed },
      ]),
      count,
      1,
    );
  } finally {
    await proxy.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  await sim.reset();

  const figures = items.map((item) => {
    const of = (network: Network) => samples.get(`${item.label}|${network}`)!;
    const direct = median(of('direct').map((s) => s.ms));
    const delayed = median(of('delayed').map((s) => s.ms));
    const chains = of('delayed').flatMap((s) => (s.chain === undefined ? [] : [s.chain]));
    return { label: item.label, direct, delayed, roundTrips: (delayed - direct) / RTT_MS, requests: median(of('delayed').map((s) => s.requests)), chain: chains.length ? median(chains) : undefined };
  });
  const [enable, manualRun, drift] = figures as [typeof figures[0], typeof figures[0], typeof figures[0]];
  const enableRatio = manualRun.delayed / enable.delayed;
  const driftRoundTrips = drift.roundTrips;
  const rows = figures.map((f) => [
    f.label,
    ms(f.direct),
    ms(f.delayed),
    f.roundTrips.toFixed(1),
    f.chain === undefined ? 'n/a (kubectl)' : String(f.chain),
    f.requests,
    f === enable ? context.target(`7. enable all own work under ${RTT_MS} ms RTT, guide ÷ plugin`, `${ms(manualRun.delayed)} ÷ ${ms(enable.delayed)} ms = ${ratio(manualRun.delayed, enable.delayed)}`, '≥ 10×', enableRatio >= 10)
      : f === drift ? context.target(`7. check-drift all under ${RTT_MS} ms RTT: round trips`, `${driftRoundTrips.toFixed(1)}`, '≤ 4 (TCP + TLS + 2)', driftRoundTrips <= 4.5) : '',
  ]);
  return [
    `## 7. Round trips under ${RTT_MS} ms of network latency`,
    '',
    `Each command straight to the simulator and through \`bench/lib/latency-proxy.ts\` (a TCP relay on 127.0.0.1 that delays every chunk ${ONE_WAY_MS} ms each way and the connection's set-up by one round trip; TLS and HTTP/2 pass untouched), ${count} rounds in turns after a warm-up round; medians. The guide's procedure is bench/guide.ts's, its kubectl pointed at the relay by KUBECONFIG. \`enable all\` runs from the seeded state (\`sim.reset()\` before each run) with \`-v 6\`; its own work is its wall time less the time it only waited for pods (a wait runs from its \`wait started\` log line to its \`(1.2s)\` line, less any request of its own in flight meanwhile). The guide does not wait: its figure is its wall time.`,
    '',
    `**Round trips** = (delayed − direct) ÷ ${RTT_MS} ms: every sequential round trip on the critical path, the TCP and TLS handshakes included. **Request chain**: the longest chain of the plugin's requests (from its -v 6 log: end time and duration) each starting after the one before it ended, i.e. its sequential API round trips without the handshakes (waits' watches are not in that log). Requests from the audit log.`,
    '',
    table(['command', `direct, ms`, `${RTT_MS} ms RTT, ms`, 'round trips', 'request chain', 'API requests', 'target'], rows),
    '',
  ].join('\n');
}
