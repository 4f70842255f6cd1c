// Item 7: round trips. The same commands straight to the simulator and through a relay
// that delays every chunk by 20 ms each way (40 ms round trip, a laptop to a cloud
// region), in turns. Sequential round trips are counted from structure, not from time
// (this shared machine's noise is larger than a round trip): the longest chain of requests
// each received by the server a round trip after it answered the one before (audit log),
// plus two per connection the relay saw opened (TCP and TLS 1.3 handshakes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditSince, byAgent, KUBECTL_AGENT, PLUGIN_AGENT, sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { kubeconfigVia, startLatencyProxy } from './lib/latency-proxy.ts';
import { longestComponentChain, ownWork, requestChain, requestIntervals } from './lib/round-trips.ts';
import { runOk } from './lib/run.ts';
import { inTurns, median, ms, ratio, table } from './lib/stats.ts';
import { loadGuide, runGuide } from './guide.ts';

const ONE_WAY_MS = 20;
const RTT_MS = 2 * ONE_WAY_MS;

interface Sample {
  /** Wall time; for enable, its own work (waits for pods left out). */
  ms: number;
  requests: number;
  /** Longest chain of sequential requests in the client's -v 6 log. */
  chain: number;
  /** Connections the relay accepted (0 straight to the server). */
  connections: number;
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
    const connections = proxy.connections;
    const result = await runOk(context.plugin, [...args, '-v', '6'], { env: env[network], codes: [0, 1] });
    const events = (await auditSince(offset)).filter(byAgent(PLUGIN_AGENT));
    const own = reset ? ownWork(result, requestIntervals(result.lines)) : result.ms;
    const chain = reset ? longestComponentChain(events, RTT_MS / 2) : requestChain(events, RTT_MS / 2);
    return { ms: own, requests: events.length, chain, connections: proxy.connections - connections };
  };
  const manual = (network: Network) => async (): Promise<Sample> => {
    await sim.reset();
    enabledByPlugin = false;
    const offset = sim.auditOffset();
    const connections = proxy.connections;
    const result = await runGuide(guide, env[network]);
    if (result.failed.length > 0) throw new Error(`the guide failed: ${result.failed[0]!.command}: ${result.failed[0]!.stderr}`);
    const events = (await auditSince(offset)).filter(byAgent(KUBECTL_AGENT));
    return { ms: result.ms, requests: events.length, chain: requestChain(events, RTT_MS / 2), connections: proxy.connections - connections };
  };
  const version = (network: Network) => async (): Promise<Sample> => ({ ms: (await runOk(context.plugin, ['version', '--client'], { env: env[network] })).ms, requests: 0, chain: 0, connections: 0 });

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
    const delayed = of('delayed');
    const chain = median(delayed.map((s) => s.chain));
    const connections = median(delayed.map((s) => s.connections));
    return {
      label: item.label,
      direct: median(of('direct').map((s) => s.ms)),
      delayed: median(delayed.map((s) => s.ms)),
      chain,
      connections,
      roundTrips: chain + 2 * connections,
      requests: median(delayed.map((s) => s.requests)),
    };
  });
  const [enable, manualRun, drift] = figures as [(typeof figures)[0], (typeof figures)[0], (typeof figures)[0]];
  const enableRatio = manualRun.delayed / enable.delayed;
  const rows = figures.map((f) => [
    f.label,
    ms(f.direct),
    ms(f.delayed),
    f.chain,
    f.connections,
    f.roundTrips,
    f.requests,
    f === enable
      ? context.target(`9. enable all own work under ${RTT_MS} ms RTT, guide ÷ plugin`, `${ms(manualRun.delayed)} ÷ ${ms(enable.delayed)} ms = ${ratio(manualRun.delayed, enable.delayed)} (round trips ${manualRun.roundTrips} ÷ ${enable.roundTrips})`, '≥ 10×', enableRatio >= 10)
      : f === drift
        ? context.target(`9. check-drift all under ${RTT_MS} ms RTT: round trips`, `${f.roundTrips} (${f.connections} connection, chain of ${f.chain})`, '≤ 4 (TCP + TLS + 2)', f.roundTrips <= 4)
        : '',
  ]);
  return [
    `## 9. Round trips under ${RTT_MS} ms of network latency`,
    '',
    `Each command straight to the simulator and through \`bench/lib/latency-proxy.ts\` (a TCP relay on 127.0.0.1 that delays every chunk ${ONE_WAY_MS} ms each way and a new connection's first bytes by one more round trip, as a TCP handshake; TLS and HTTP/2 pass untouched), ${count} rounds in turns after a warm-up round; medians. The guide's procedure is bench/guide.ts's, verbatim, its kubectl (the anchor, kubectl v1.35.4 built alone; warm discovery cache) pointed at the relay by KUBECONFIG. \`enable all\` runs from the seeded state (\`sim.reset()\` before each run) with \`-v 6\`; its own work is its wall time less the moments it only waited for pods (from its \`wait started\` log line to the wait's \`(1.2s)\` line, less any request of its own in flight meanwhile). The guide does not wait: its figure is its wall time.`,
    '',
    `**Sequential round trips** = request chain + 2 × connections. The request chain is the longest chain of the client's requests (audit log, by user agent, watches left out) each received by the API server at least half a round trip after it answered the one before (a request sent after an answer arrives a whole round trip later behind the relay; requests sent together arrive within a moment of each other): the server's clock, which a busy client cannot blur. Each connection the relay saw costs a TCP and a TLS 1.3 handshake, one round trip each (the guide's connections are sequential: one kubectl after another). For \`enable all\`, whose components converge side by side, the chain is the longest component's (the shared reads, then its own writes: a component's writes after its wait do not add to another's). Counted from structure, not time: on this shared 2-core machine the noise of a run is larger than a round trip, so (delayed − direct) ÷ RTT is not reliable here; times are shown as measured. API requests from the audit log.`,
    '',
    table(['command', 'direct, ms', `${RTT_MS} ms RTT, ms`, 'request chain', 'connections', 'sequential round trips', 'API requests', 'target'], rows),
    '',
  ].join('\n');
}
