// The metrics probe: what `kubectl top nodes` and every HorizontalPodAutoscaler live through
// while the plugin (or the guide) works. Every 500 ms it asks the API server for
// /apis/metrics.k8s.io/v1beta1/nodes, as they do: the aggregation layer proxies the request
// to a ready endpoint of the metrics-server Service. An answer counts only when it is a 200
// with a usage for every node; a 503 (no endpoint, APIService unavailable), another status,
// a node missing from the answer or no answer in time is a failure. It also watches the
// APIService v1beta1.metrics.k8s.io: how often and how long it was not Available.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import * as sim from './sim.ts';
import { listWatch } from './lib/list-watch.ts';
import { startTicking } from './lib/ticker.ts';
import { watchConntrack, type ConntrackWatch } from './conntrack-events.ts';
import { describeHistory, followEndpoints, type EndpointState, type EndpointHistory } from './endpoint-history.ts';

export const METRICS_PROBE_AGENT = 'kapsule-ha-metrics-probe';
export const METRICS_API = 'v1beta1.metrics.k8s.io';
const NODE_METRICS = '/apis/metrics.k8s.io/v1beta1/nodes';

export interface MetricsProbeOptions {
  intervalMs?: number;
  /** A request not answered within this is a timeout (kubectl top's is longer; we are stricter). */
  timeoutMs?: number;
  stateDir?: string;
}

export interface MetricsCounts {
  sent: number;
  /** 200 with a usage for every node of the cluster. */
  answered: number;
  /** 503: the API server found no endpoint to proxy to, or the APIService was unavailable. */
  unavailable: number;
  /** 200 without some nodes (metrics-server had not scraped them yet). */
  missingNodes: number;
  /** Any other status (404 once the APIService is gone, 500…) or a refused connection. */
  errors: number;
  timeouts: number;
  failed: number;
}

export interface MetricsProbeResult extends MetricsCounts {
  windowMs: number;
  maxTickGapMs: number;
  /** The longest time between the start (or a complete answer) and the next complete answer. */
  longestWithoutMetricsMs: number;
  /** Time spent from a failed request to the next complete answer, summed: seconds without metrics. */
  withoutMetricsMs: number;
  /** The APIService's Available condition: times it went other than True, and for how long in total. */
  apiServiceUnavailable: number;
  apiServiceUnavailableMs: number;
  /** Available at the start (the probe proves nothing about a cut-over that began without metrics). */
  apiServiceAvailableAtStart: boolean;
  /**
   * Failed requests explained by the termination race alone (each connection refused in
   * its time went to a pod already told to stop, see terminationRacePod): the pods, one
   * entry per such request.
   */
  terminationRaces: string[];
  firstFailures: string[];
}

export interface MetricsProbe {
  counts(): MetricsCounts;
  /** The last request answered was complete (metrics are served right now). */
  serving(): boolean;
  /** Keeps probing `tailMs` more, waits for requests in flight, returns the counts; throws if its APIService watch failed. */
  stop(tailMs?: number): Promise<MetricsProbeResult>;
}

export async function startMetricsProbe(options: MetricsProbeOptions = {}): Promise<MetricsProbe> {
  const intervalMs = options.intervalMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 2000;
  const info = sim.info(options.stateDir);
  const ca = readFileSync(info.caFile);
  const agent = new https.Agent({ keepAlive: true, ca });
  const headers = { Authorization: `Bearer ${info.adminToken}`, 'User-Agent': METRICS_PROBE_AGENT, Accept: 'application/json' };
  const nodeNames = (await sim.apiClient({ stateDir: options.stateDir, userAgent: METRICS_PROBE_AGENT }).list<{ metadata: { name: string } }>('/api/v1/nodes')).map(
    (node) => node.metadata.name,
  );
  const apiService = await watchAvailability(info.server, ca, headers);
  const connections = await watchRefusedConnections(options.stateDir);

  const counts: MetricsCounts = { sent: 0, answered: 0, unavailable: 0, missingNodes: 0, errors: 0, timeouts: 0, failed: 0 };
  const startedAt = Date.now();
  let lastComplete = startedAt;
  let failingSince: number | undefined;
  let longestWithoutMetricsMs = 0;
  let withoutMetricsMs = 0;
  let inFlight = 0;
  // Explained when the probe stops, once conntrack's last events are in.
  const failures: { kind: string; sentAt: number; failedAt: number; detail: string }[] = [];
  const fail = (kind: 'unavailable' | 'missingNodes' | 'errors' | 'timeouts', sentAt: number, detail: string) => {
    counts[kind]++;
    counts.failed++;
    failingSince ??= sentAt;
    failures.push({ kind, sentAt, failedAt: Date.now(), detail });
  };
  const complete = (at: number) => {
    counts.answered++;
    longestWithoutMetricsMs = Math.max(longestWithoutMetricsMs, at - lastComplete);
    lastComplete = at;
    if (failingSince !== undefined) withoutMetricsMs += at - failingSince;
    failingSince = undefined;
  };

  const ask = () => {
    const sentAt = Date.now();
    counts.sent++;
    inFlight++;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      inFlight--;
      outcome();
    };
    const request = https.get(new URL(NODE_METRICS, info.server), { agent, headers, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        settle(() => {
          if (response.statusCode === 503) return fail('unavailable', sentAt, body.slice(0, 200));
          if (response.statusCode !== 200) return fail('errors', sentAt, `${response.statusCode} ${body.slice(0, 200)}`);
          const items = (JSON.parse(body) as { items?: { metadata: { name: string }; usage?: { cpu?: string; memory?: string } }[] }).items ?? [];
          const withUsage = new Set(items.filter((item) => item.usage?.cpu && item.usage.memory).map((item) => item.metadata.name));
          const missing = nodeNames.filter((name) => !withUsage.has(name));
          if (missing.length > 0) return fail('missingNodes', sentAt, `${missing.length} of ${nodeNames.length} nodes missing (${missing[0]}…)`);
          complete(Date.now());
        }),
      );
      response.on('error', (error) => settle(() => fail('errors', sentAt, error.message)));
    });
    request.on('timeout', () => {
      settle(() => fail('timeouts', sentAt, `no answer within ${timeoutMs}ms`));
      request.destroy();
    });
    request.on('error', (error) => settle(() => fail('errors', sentAt, error.message)));
  };

  const ticker = startTicking(intervalMs, ask, startedAt);
  ask();

  return {
    counts: () => ({ ...counts }),
    serving: () => failingSince === undefined && counts.answered > 0,
    async stop(tailMs = 1000) {
      await new Promise((resolve) => setTimeout(resolve, tailMs));
      const { maxGapMs: maxTickGapMs } = ticker.stop();
      const endedAt = Date.now();
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      agent.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200)); // conntrack's last events
      const firstFailures: string[] = [];
      const terminationRaces: string[] = [];
      for (const { kind, sentAt, failedAt, detail } of failures) {
        const { explanation, racedPod } = connections.explain(sentAt, failedAt, startedAt);
        if (racedPod) terminationRaces.push(racedPod);
        if (firstFailures.length < 10) firstFailures.push(`+${sentAt - startedAt}ms ${kind}: ${detail}${explanation}`);
      }
      const endpointWatch = connections.stop();
      if (failingSince !== undefined) withoutMetricsMs += endedAt - failingSince;
      longestWithoutMetricsMs = Math.max(longestWithoutMetricsMs, endedAt - lastComplete);
      const watch = apiService.stop();
      if (watch.error) throw new Error(`the metrics probe's watch of apiservice/${METRICS_API} failed, so its counts prove less: ${watch.error}`);
      if (endpointWatch.error) throw new Error(`the metrics probe's watch of metrics-server's EndpointSlices failed, so its failures are not explained: ${endpointWatch.error}`);
      return {
        ...counts,
        windowMs: endedAt - startedAt,
        maxTickGapMs,
        longestWithoutMetricsMs,
        withoutMetricsMs,
        apiServiceUnavailable: watch.unavailable,
        apiServiceUnavailableMs: watch.unavailableMs,
        apiServiceAvailableAtStart: watch.availableAtStart,
        terminationRaces,
        firstFailures,
      };
    },
  };
}

interface AvailabilityWatch {
  stop(): { error?: string; unavailable: number; unavailableMs: number; availableAtStart: boolean };
}

const isAvailable = (apiService: any): boolean =>
  (apiService?.status?.conditions ?? []).some((condition: any) => condition.type === 'Available' && condition.status === 'True');

/** The APIService's Available condition, followed by a watch (list first; a watch the server ends is resumed). */
async function watchAvailability(server: string, ca: Buffer, headers: Record<string, string>): Promise<AvailabilityWatch> {
  const base = `/apis/apiregistration.k8s.io/v1/apiservices?fieldSelector=${encodeURIComponent(`metadata.name=${METRICS_API}`)}`;
  // Available until the list or the watch says otherwise.
  let available = true;
  let unavailableSince: number | undefined;
  let unavailable = 0;
  let unavailableMs = 0;
  const seen = (now: boolean) => {
    if (now === available) return;
    available = now;
    if (!now) {
      unavailable++;
      unavailableSince = Date.now();
    } else if (unavailableSince !== undefined) {
      unavailableMs += Date.now() - unavailableSince;
      unavailableSince = undefined;
    }
  };
  const watch = await listWatch({
    server,
    ca,
    headers,
    path: base,
    what: 'apiservices',
    onObject: (object, deleted) => seen(!deleted && isAvailable(object)),
  });
  if (watch.listed.length === 0) seen(false);
  const availableAtStart = isAvailable(watch.listed[0]);
  return {
    stop() {
      watch.stop();
      if (unavailableSince !== undefined) unavailableMs += Date.now() - unavailableSince;
      const error = watch.error();
      return { ...(error ? { error } : {}), unavailable, unavailableMs, availableAtStart };
    },
  };
}

interface RefusedConnection {
  at: number;
  /** The pod IP kube-proxy sent the SYN to; the Service address itself when nothing rewrote it. */
  endpoint: string;
}

interface ConnectionWatch {
  /** Why a request sent at `sentAt` and failed at `failedAt` failed, as far as the connections refused in between tell, and the pod when that is the termination race. */
  explain(sentAt: number, failedAt: number, startedAt: number): { explanation: string; racedPod?: string };
  stop(): { error?: string };
}

/**
 * The connections to the metrics-server Service refused in the cluster network (the API
 * server's egress reaches a ClusterIP there): conntrack shows where kube-proxy sent each SYN,
 * the EndpointSlice watch what that endpoint was doing.
 */
async function watchRefusedConnections(stateDir?: string): Promise<ConnectionWatch> {
  const api = sim.apiClient({ stateDir, userAgent: METRICS_PROBE_AGENT });
  let serviceIP: string;
  try {
    serviceIP = (await api.get<{ spec: { clusterIP: string } }>('/api/v1/namespaces/kube-system/services/metrics-server')).body.spec.clusterIP;
  } finally {
    api.close();
  }
  const endpoints: EndpointHistory = await followEndpoints({ service: 'metrics-server', port: { name: 'https', protocol: 'TCP' }, agent: METRICS_PROBE_AGENT, stateDir });
  const established = new Set<number>();
  const opened = new Map<number, number>();
  const refused: RefusedConnection[] = [];
  const flows: ConntrackWatch = await watchConntrack(sim.clusterNetwork(stateDir), { protocol: 'tcp', destination: serviceIP, events: 'NEW,UPDATE,DESTROY' }, (event) => {
    if (event.type === 'NEW') {
      established.delete(event.sport);
      opened.set(event.sport, event.at);
    } else if (event.state === 'ESTABLISHED' || event.state === 'SYN_RECV') established.add(event.sport);
    else if (event.state === 'CLOSE' && opened.has(event.sport) && !established.has(event.sport)) {
      // Closed before it was ever established: the SYN was answered with a reset (or an ICMP error).
      refused.push({ at: opened.get(event.sport)!, endpoint: event.endpoint });
      opened.delete(event.sport);
    }
  });
  return {
    explain(sentAt, failedAt, startedAt) {
      const inTime = refused.filter((connection) => connection.at >= sentAt - 50 && connection.at <= failedAt + 50);
      if (inTime.length === 0) {
        return { explanation: flows.lostEvents() ? ' (no refused connection seen, but conntrack lost events)' : ' (no connection to the Service was refused in its time: kube-proxy rejected it before conntrack kept it, or it never got that far)' };
      }
      const races = inTime.map((connection) => terminationRacePod(endpoints.history(connection.endpoint), connection.at));
      const told = inTime.map((connection) => {
        if (connection.endpoint === serviceIP) return `+${connection.at - startedAt}ms a connection kube-proxy did not rewrite (no endpoint for it) was refused`;
        return `+${connection.at - startedAt}ms ${connection.endpoint} refused a connection; that endpoint: ${describeHistory(endpoints.history(connection.endpoint), startedAt)}`;
      });
      const racedPod = races.every((pod) => pod !== undefined) ? races[0] : undefined;
      return { explanation: ` (${told.join('; ')})${racedPod ? ' [the termination race]' : ''}`, racedPod };
    },
    stop() {
      flows.stop();
      return { error: endpoints.stop().error };
    },
  };
}

/**
 * The pod behind a refused connection when that is the termination race: it had been told
 * to stop (terminating, or gone) when the connection was refused, or was within a second
 * after (the runner's SIGTERM and the EndpointSlice controller see the deletion at once; the
 * slice's write may come a moment after the process has stopped listening).
 */
export function terminationRacePod(history: EndpointState[], refusedAt: number): string | undefined {
  const stopping = history.find((h) => h.condition.startsWith('terminating') || h.condition === 'gone from the EndpointSlice');
  if (!stopping || stopping.at > refusedAt + 1000) return undefined;
  return stopping.pod;
}
