// The DNS probe: what a pod of the cluster would live through while the plugin (or the
// guide) works. Every 50 ms it sends one UDP query, from a fresh source port as a stub
// resolver does, and checks every answer against the truth. It alternates the cluster's
// own name (answered by CoreDNS's `kubernetes` plugin) and a name only the upstream
// server knows (answered through `forward`). Two modes:
// - 'client' (what an application sees): from a pod network namespace of its own, to the
//   kube-dns ClusterIP; kube-proxy picks the endpoint and conntrack keeps the mapping.
// - 'endpoint': from the cluster namespace, to a random ready endpoint of kube-dns (as
//   the probe's own EndpointSlice watch sees them), bypassing the Service.
// It watches kube-dns's EndpointSlices in both (the fewest ready endpoints, settling).
import dgram from 'node:dgram';
import { clusterAddresses } from './lib/pod-network.ts';
import { startTicking } from './lib/ticker.ts';
import { openUdpRelay, type UdpRelay } from './lib/udp-relay.ts';
import dnsPacket from 'dns-packet';
import { watchConntrack } from './conntrack-events.ts';
import { describeHistory, followEndpoints, type EndpointState } from './endpoint-history.ts';
import * as sim from './sim.ts';

export const PROBE_AGENT = 'kapsule-ha-dns-probe';
const SERVICE_NAME = 'kubernetes.default.svc.cluster.local';

export type DnsProbeMode = 'client' | 'endpoint';

export interface DnsProbeOptions {
  /** Default 'client': through the kube-dns Service, from a pod namespace of the probe's own. */
  mode?: DnsProbeMode;
  intervalMs?: number;
  /** A query not answered within this is a timeout (a resolver's first try is 5 s; we are stricter). */
  timeoutMs?: number;
  stateDir?: string;
  /**
   * For the probe's own tests: send from this process (not from a namespace of the
   * simulator) to where this says, for the chosen ready endpoint (endpoint mode).
   */
  reach?: (podIP: string, port: number) => { host: string; port: number } | undefined;
  /** The names asked in turn and the address each must resolve to; default the two above. */
  names?: { name: string; answer: string }[];
}

export type Failure = 'timeout' | 'servfail' | 'wrong' | 'noEndpoint' | 'unreachable';

export interface DnsCounts {
  /** Queries sent. */
  sent: number;
  /** Answered with exactly the expected address. */
  answered: number;
  timeouts: number;
  servfails: number;
  /** Any other answer: another rcode (NXDOMAIN, REFUSED…) or the wrong address. */
  wrong: number;
  /** Ticks when the Service had no ready endpoint: no query could be sent. */
  noEndpoint: number;
  /** Ticks when the chosen endpoint's pod has no address here (no process runs it). */
  unreachable: number;
  /** Every kind of failure added up: what a client of the cluster DNS would have suffered. */
  failed: number;
}

export interface DnsProbeResult extends DnsCounts {
  mode: DnsProbeMode;
  /** Ready endpoints when the probe stopped (after they settled). */
  readyAtEnd: number;
  /** From start to the end of the tail window. */
  windowMs: number;
  /** The longest time between two ticks: the probe never dozed off. */
  maxTickGapMs: number;
  /** Distinct endpoint addresses queried (client mode: that answered, as conntrack saw kube-proxy's choice). */
  endpointsQueried: number;
  /** Client mode: right answers per pod IP kube-proxy chose ('unknown' if conntrack did not show the flow). */
  answeredBy: Record<string, number>;
  /**
   * Client mode: answered queries whose fresh source port matched a conntrack flow an earlier
   * query had left (so kube-proxy did not choose for them: the earlier flow's endpoint answered).
   */
  reusedFlows: number;
  /**
   * Client mode: the timeouts lost to a stale flow, by the pod it pinned them to: the query
   * took an earlier query's flow (same source port) to a pod that was terminating when it was
   * sent and had stopped serving by then or within a second (its process exited), before
   * kube-proxy cleared the flows of that endpoint.
   */
  staleFlowLosses: string[];
  /** The fewest ready endpoints at any moment (the old endpoint-count view), and how many watch events. */
  minReady: number;
  watchEvents: number;
  /** The first failures, for a readable assertion message. */
  firstFailures: string[];
}

export interface DnsProbe {
  /** Counts so far (the demo prints them while a verb runs). */
  counts(): DnsCounts;
  /**
   * Keeps probing for `tailMs` more (what follows the last write counts too) and then
   * until kube-dns's endpoints have settled (no change for `quietMs`, at most `settleMs`),
   * then stops sending, waits for every query in flight to be answered or to time out, and
   * returns the counts. Throws if the EndpointSlice watch failed at any moment.
   */
  stop(tailMs?: number, options?: { quietMs?: number; settleMs?: number }): Promise<DnsProbeResult>;
}

interface Pending {
  expected: string;
  question: string;
  target: string;
  timer: NodeJS.Timeout;
  sentAt: number;
  /** The query's source port, once the relay reports it. */
  localPort?: number;
}

/** Where queries go: a socket of this process (the probe's own tests), or a relay inside a namespace of the simulator. */
interface Transport {
  send(id: number, host: string, port: number, packet: Buffer): void;
  /** `localPort`: the query's source port, when known (relays). */
  onAnswer(listener: (id: number, packet: Buffer, localPort?: number) => void): void;
  /** Relays: the source port of each query sent. */
  onSent?(listener: (id: number, localPort: number) => void): void;
  close(): Promise<void>;
}

async function localTransport(): Promise<Transport> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    send: (_id, host, port, packet) => socket.send(packet, port, host),
    onAnswer: (listener) => socket.on('message', (message) => listener(-1, message)),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function relayTransport(relay: UdpRelay, after?: () => Promise<void>): Transport {
  return {
    send: (id, host, port, packet) => relay.send(id, host, port, packet),
    onAnswer: (listener) => relay.onAnswer((id, _from, packet, localPort) => listener(id, packet, localPort)),
    onSent: (listener) => relay.onSent(listener),
    async close() {
      await relay.close();
      await after?.();
    },
  };
}

export async function startDnsProbe(options: DnsProbeOptions = {}): Promise<DnsProbe> {
  const intervalMs = options.intervalMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 2000;
  const mode: DnsProbeMode = options.reach ? 'endpoint' : (options.mode ?? 'client');
  const names = options.names ?? (await defaultNames(options.stateDir));
  let transport: Transport;
  if (options.reach) transport = await localTransport();
  else if (mode === 'endpoint') transport = relayTransport(await openUdpRelay(sim.clusterNetwork(options.stateDir)));
  else {
    const client = await sim.openClientSandbox(options.stateDir);
    try {
      transport = relayTransport(await openUdpRelay(client.netns), () => client.close());
    } catch (error) {
      await client.close();
      throw error;
    }
  }
  const reach = options.reach ?? ((ip: string, port: number) => ({ host: ip, port }));
  const endpoints = await followEndpoints({ service: 'kube-dns', port: { name: 'dns', protocol: 'UDP' }, agent: PROBE_AGENT, stateDir: options.stateDir });

  const counts: DnsCounts = { sent: 0, answered: 0, timeouts: 0, servfails: 0, wrong: 0, noEndpoint: 0, unreachable: 0, failed: 0 };
  const firstFailures: string[] = [];
  const queried = new Set<string>();
  const pending = new Map<number, Pending>();
  const startedAt = Date.now();
  const fail = (kind: Failure, detail: string) => {
    counts[kind === 'timeout' ? 'timeouts' : kind === 'servfail' ? 'servfails' : kind]++;
    counts.failed++;
    if (firstFailures.length < 10) firstFailures.push(`+${Date.now() - startedAt}ms ${kind}: ${detail}`);
  };

  // Client mode: which pod kube-proxy sent each query to, from the cluster namespace's
  // conntrack events (a new flow per query: its source port → the endpoint it was DNATed to).
  const flows = mode === 'client' ? await watchServiceFlows(sim.clusterNetwork(options.stateDir)) : undefined;
  const answeredFrom: { port: number; sentAt: number }[] = [];
  transport.onSent?.((id, localPort) => {
    const query = pending.get(id);
    if (query) query.localPort = localPort;
  });
  const staleFlowLosses: string[] = [];
  // A query never answered: where kube-proxy sent it and what that endpoint was doing then,
  // and the pod it was pinned to when that is the stale-flow race.
  const diagnoseTimeout = (query: Pending): { detail: string; stalePod?: string } => {
    if (!flows) return { detail: '' };
    if (query.localPort === undefined) return { detail: ' (the relay never reported it sent)' };
    const found = flows.flowOf(query.localPort, query.sentAt);
    if (!found) return { detail: ` (from port ${query.localPort}: no conntrack flow, so it never reached kube-proxy's rules)` };
    const { flow, reused } = found;
    const history = endpoints.history(flow.endpoint);
    const stalePod = reused ? staleFlowPod(history, query.sentAt) : undefined;
    const dnat = reused ? `matched the flow an earlier query from the same port left at +${flow.at - startedAt}ms, DNATed` : `DNATed at +${flow.at - startedAt}ms`;
    const reply = flow.repliedAt === undefined ? 'no reply seen by conntrack' : `conntrack saw a reply at +${flow.repliedAt - startedAt}ms`;
    const conditions = describeHistory(history, startedAt);
    const detail = ` (sent at +${query.sentAt - startedAt}ms from port ${query.localPort}, ${dnat} to ${flow.endpoint}, ${reply}; that endpoint: ${conditions})${stalePod ? ' [a stale flow]' : ''}`;
    return { detail, stalePod };
  };
  transport.onAnswer((_relayId, message, localPort) => {
    let answer: dnsPacket.DecodedPacket;
    try {
      answer = dnsPacket.decode(message);
    } catch {
      return; // not a DNS message: no id to match it to; its query will time out
    }
    const query = pending.get(answer.id ?? -1);
    if (!query) return; // late, already counted as a timeout
    pending.delete(answer.id!);
    clearTimeout(query.timer);
    const rcode = (answer.flags ?? 0) & 0x0f; // 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED…
    const addresses = (answer.answers ?? []).filter((record) => record.type === 'A').map((record) => String((record as { data: unknown }).data));
    const detail = `${query.question} at ${query.target}`;
    if (rcode === 2) fail('servfail', detail);
    else if (rcode !== 0 || !addresses.includes(query.expected)) fail('wrong', `${detail}: rcode ${rcode} [${addresses.join(', ')}], expected ${query.expected}`);
    else {
      counts.answered++;
      if (localPort !== undefined) answeredFrom.push({ port: localPort, sentAt: query.sentAt });
    }
  });

  let nextId = Math.floor(Math.random() * 65536);
  let turn = 0;
  const sendQuery = () => {
    let address: { host: string; port: number } | undefined;
    let target: string;
    if (mode === 'client') {
      // An application asks the Service whatever its endpoints: kube-proxy decides.
      address = { host: clusterAddresses.kubeDns, port: 53 };
      target = `kube-dns ${clusterAddresses.kubeDns}:53`;
    } else {
      const ready = endpoints.ready();
      if (ready.length === 0) return fail('noEndpoint', `kube-dns has no ready endpoint`);
      const endpoint = ready[Math.floor(Math.random() * ready.length)]!;
      address = reach(endpoint.ip, endpoint.port);
      if (!address) return fail('unreachable', `no address for pod IP ${endpoint.ip}`);
      target = `${address.host}:${address.port} (pod ${endpoint.ip})`;
      queried.add(endpoint.ip);
    }
    const { name, answer } = names[turn++ % names.length]!;
    while (pending.has(nextId)) nextId = (nextId + 1) % 65536;
    const id = nextId;
    nextId = (nextId + 1) % 65536;
    const timer = setTimeout(() => {
      const { detail, stalePod } = diagnoseTimeout(pending.get(id)!);
      pending.delete(id);
      if (stalePod) staleFlowLosses.push(stalePod);
      fail('timeout', `${name} at ${target}${detail}`);
    }, timeoutMs);
    pending.set(id, { expected: answer, question: name, target, timer, sentAt: Date.now() });
    counts.sent++;
    const packet = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
    transport.send(id, address.host, address.port, packet);
  };
  const ticker = startTicking(intervalMs, sendQuery, startedAt);

  return {
    counts: () => ({ ...counts }),
    async stop(tailMs = 1000, settle = {}) {
      await new Promise((resolve) => setTimeout(resolve, tailMs));
      // What follows the work until the endpoints stop changing counts too (a copy's
      // pod still terminating, an original's still turning Ready).
      const quietMs = settle.quietMs ?? 2000;
      const settleDeadline = Date.now() + (settle.settleMs ?? 30_000);
      while (Date.now() - endpoints.lastChangeAt() < quietMs && Date.now() < settleDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const { maxGapMs: maxTickGapMs } = ticker.stop();
      const endedAt = Date.now();
      // Every query in flight is answered or times out.
      while (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await transport.close();
      const answeredBy: Record<string, number> = {};
      let reusedFlows = 0;
      if (flows) {
        await new Promise((resolve) => setTimeout(resolve, 200)); // the last events
        for (const { port, sentAt } of answeredFrom) {
          const found = flows.flowOf(port, sentAt);
          if (found?.reused) reusedFlows++;
          const endpoint = found?.flow.endpoint ?? 'unknown';
          answeredBy[endpoint] = (answeredBy[endpoint] ?? 0) + 1;
        }
        flows.stop();
        for (const endpoint of Object.keys(answeredBy)) if (endpoint !== 'unknown') queried.add(endpoint);
      }
      const readyAtEnd = endpoints.ready().length;
      const watch = endpoints.stop();
      if (watch.error) throw new Error(`the DNS probe's watch of kube-dns's EndpointSlices failed, so its counts prove nothing: ${watch.error}`);
      return { ...counts, mode, answeredBy, reusedFlows, staleFlowLosses, readyAtEnd, windowMs: endedAt - startedAt, maxTickGapMs, endpointsQueried: queried.size, minReady: watch.minReady, watchEvents: watch.events, firstFailures };
    },
  };
}

interface Flow {
  /** The pod IP kube-proxy DNATed the query to. */
  endpoint: string;
  /** When conntrack reported the flow, and its reply (ms since the epoch). */
  at: number;
  repliedAt?: number;
}

/**
 * `conntrack -E` in the cluster namespace: each new UDP flow to the kube-dns ClusterIP,
 * its source port and the pod IP kube-proxy DNATed it to (the reply's source), and when
 * conntrack saw the reply (its UPDATE event).
 */
async function watchServiceFlows(clusterNetns: string): Promise<{ flowOf(port: number, sentAt: number): { flow: Flow; reused: boolean } | undefined; stop(): void }> {
  const byPort = new Map<number, Flow[]>();
  const watch = await watchConntrack(clusterNetns, { protocol: 'udp', destination: clusterAddresses.kubeDns, events: 'NEW,UPDATE' }, (event) => {
    const known = byPort.get(event.sport) ?? [];
    if (event.type === 'NEW') byPort.set(event.sport, [...known, { endpoint: event.endpoint, at: event.at }]);
    else {
      const last = known.at(-1);
      if (last) last.repliedAt ??= event.at;
    }
  });
  return {
    // The query's own flow is the first reported after it was sent; without one, it matched
    // the flow of an earlier query from the same source port (still in conntrack).
    flowOf(port, sentAt) {
      const known = byPort.get(port) ?? [];
      const own = known.find((flow) => flow.at >= sentAt);
      if (own) return { flow: own, reused: false };
      const earlier = known.at(-1);
      return earlier ? { flow: earlier, reused: true } : undefined;
    },
    stop: () => watch.stop(),
  };
}

/** The pod a reused flow pinned a lost query to, when that loss is the stale-flow race (see staleFlowLosses). */
export function staleFlowPod(history: EndpointState[], sentAt: number): string | undefined {
  const terminating = history.find((h) => h.condition.startsWith('terminating'));
  const stopped = history.find((h) => h.condition === 'terminating' || h.condition === 'gone from the EndpointSlice');
  if (!terminating || !stopped || terminating.at > sentAt || stopped.at > sentAt + 1000) return undefined;
  return terminating.pod;
}

/** The two names and their truth: the `kubernetes` Service's cluster IP, and the upstream's fixed answer. */
async function defaultNames(stateDir?: string): Promise<{ name: string; answer: string }[]> {
  const api = sim.apiClient({ stateDir, userAgent: PROBE_AGENT });
  try {
    const service = await api.get<{ spec: { clusterIP: string } }>('/api/v1/namespaces/default/services/kubernetes');
    return [
      { name: SERVICE_NAME, answer: service.body.spec.clusterIP },
      { name: sim.upstreamName, answer: sim.upstreamAnswer },
    ];
  } finally {
    api.close();
  }
}
