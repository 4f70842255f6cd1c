// The DNS probe: what a pod of the cluster would live through while the plugin (or the
// guide) works. It watches the kube-dns Service's EndpointSlices and, every 50 ms, sends
// one UDP query to a random ready endpoint, as kube-proxy would pick it, at the address
// where this process reaches that pod (`podHostAddress`). It alternates the cluster's own
// name (answered by CoreDNS's `kubernetes` plugin) and a name only the upstream server
// knows (answered through `forward`), and checks every answer against the truth.
import dgram from 'node:dgram';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import dnsPacket from 'dns-packet';
import { onJsonLines } from './lib/json-lines.ts';
import * as sim from './sim.ts';

export const PROBE_AGENT = 'kapsule-ha-dns-probe';
const SERVICE_NAME = 'kubernetes.default.svc.cluster.local';

export interface DnsProbeOptions {
  intervalMs?: number;
  /** A query not answered within this is a timeout (a resolver's first try is 5 s; we are stricter). */
  timeoutMs?: number;
  stateDir?: string;
  /** Where this process reaches a pod's port; default the pod's host address (`podHostAddress`), same port. */
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
  /** From start to the end of the tail window. */
  windowMs: number;
  /** The longest time between two ticks: the probe never dozed off. */
  maxTickGapMs: number;
  /** Distinct endpoint addresses queried. */
  endpointsQueried: number;
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
   * Keeps probing for `tailMs` more (what follows the last write counts too), then stops
   * sending, waits for every query in flight to be answered or to time out, and returns the
   * counts. Throws if the EndpointSlice watch failed at any moment.
   */
  stop(tailMs?: number): Promise<DnsProbeResult>;
}

interface Pending {
  expected: string;
  question: string;
  target: string;
  timer: NodeJS.Timeout;
}

export async function startDnsProbe(options: DnsProbeOptions = {}): Promise<DnsProbe> {
  const intervalMs = options.intervalMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 2000;
  const reach =
    options.reach ??
    ((ip: string, port: number) => {
      const host = sim.podHostAddress(ip, options.stateDir);
      return host ? { host, port } : undefined;
    });
  const names = options.names ?? (await defaultNames(options.stateDir));
  const endpoints = await watchReadyEndpoints(options.stateDir);

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

  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.on('message', (message) => {
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
    else counts.answered++;
  });

  let nextId = Math.floor(Math.random() * 65536);
  let turn = 0;
  let lastTick = startedAt;
  let maxTickGapMs = 0;
  const tick = () => {
    const at = Date.now();
    maxTickGapMs = Math.max(maxTickGapMs, at - lastTick);
    lastTick = at;
    const ready = endpoints.ready();
    if (ready.length === 0) return fail('noEndpoint', `kube-dns has no ready endpoint`);
    const endpoint = ready[Math.floor(Math.random() * ready.length)]!;
    const address = reach(endpoint.ip, endpoint.port);
    if (!address) return fail('unreachable', `no address for pod IP ${endpoint.ip}`);
    const { name, answer } = names[turn++ % names.length]!;
    while (pending.has(nextId)) nextId = (nextId + 1) % 65536;
    const id = nextId;
    nextId = (nextId + 1) % 65536;
    const target = `${address.host}:${address.port} (pod ${endpoint.ip})`;
    const timer = setTimeout(() => {
      pending.delete(id);
      fail('timeout', `${name} at ${target}`);
    }, timeoutMs);
    pending.set(id, { expected: answer, question: name, target, timer });
    queried.add(endpoint.ip);
    counts.sent++;
    const packet = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
    socket.send(packet, address.port, address.host);
  };
  const interval = setInterval(tick, intervalMs);

  return {
    counts: () => ({ ...counts }),
    async stop(tailMs = 1000) {
      await new Promise((resolve) => setTimeout(resolve, tailMs));
      clearInterval(interval);
      const endedAt = Date.now();
      // Every query in flight is answered or times out.
      while (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      socket.close();
      const watch = endpoints.stop();
      if (watch.error) throw new Error(`the DNS probe's watch of kube-dns's EndpointSlices failed, so its counts prove nothing: ${watch.error}`);
      return { ...counts, windowMs: endedAt - startedAt, maxTickGapMs, endpointsQueried: queried.size, minReady: watch.minReady, watchEvents: watch.events, firstFailures };
    },
  };
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

interface Endpoint {
  ip: string;
  port: number;
}

interface EndpointWatch {
  ready(): Endpoint[];
  stop(): { error?: string; minReady: number; events: number };
}

/**
 * The ready UDP DNS endpoints of kube-dns, kept current by a watch (list, then watch from
 * its resourceVersion; a watch the server ends normally is resumed). Any error is kept
 * and reported by stop(): a probe that lost sight of the endpoints proves nothing.
 */
async function watchReadyEndpoints(stateDir?: string): Promise<EndpointWatch> {
  const info = sim.info(stateDir);
  const ca = readFileSync(info.caFile);
  const base = `/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=${encodeURIComponent('kubernetes.io/service-name=kube-dns')}`;
  const bySlice = new Map<string, Endpoint[]>();
  let current: Endpoint[] = [];
  let minReady = Number.POSITIVE_INFINITY;
  let events = 0;
  let error: string | undefined;
  let stopped = false;
  let request: ReturnType<typeof https.get> | undefined;

  const update = (slice: any, deleted: boolean) => {
    const port = (slice.ports ?? []).find((p: any) => (p.protocol ?? 'TCP') === 'UDP' && p.name === 'dns')?.port;
    const ready = deleted || !port ? [] : (slice.endpoints ?? []).filter((e: any) => e.conditions?.ready !== false).map((e: any) => ({ ip: e.addresses[0], port }));
    if (ready.length === 0) bySlice.delete(slice.metadata.name);
    else bySlice.set(slice.metadata.name, ready);
    current = [...bySlice.values()].flat();
  };

  const get = (path: string) =>
    https.get(new URL(path, info.server), { ca, headers: { Authorization: `Bearer ${info.adminToken}`, 'User-Agent': PROBE_AGENT } });

  const list = await new Promise<any>((resolve, reject) => {
    get(base)
      .on('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`listing kube-dns's EndpointSlices: ${response.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
  for (const slice of list.items) update(slice, false);
  minReady = current.length;
  let resourceVersion: string = list.metadata.resourceVersion;

  const watch = () => {
    request = get(`${base}&watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}`);
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        error ??= `watch answered ${response.statusCode}`;
        response.resume();
        return;
      }
      onJsonLines(response, (event) => {
        if (event.type === 'ERROR') {
          error ??= `watch event ERROR: ${event.object?.message ?? JSON.stringify(event.object)}`;
          return;
        }
        resourceVersion = event.object.metadata.resourceVersion;
        if (event.type === 'BOOKMARK') return;
        events++;
        update(event.object, event.type === 'DELETED');
        minReady = Math.min(minReady, current.length);
      });
      // The API server ends a watch after a while (minutes): resume where it was.
      response.on('end', () => {
        if (!stopped && !error) watch();
      });
    });
    request.on('error', (cause) => {
      if (!stopped) error ??= `watch connection failed: ${cause.message}`;
    });
  };
  watch();

  return {
    ready: () => current,
    stop() {
      stopped = true;
      request?.destroy();
      return { error, minReady: minReady === Number.POSITIVE_INFINITY ? 0 : minReady, events };
    },
  };
}
