// A probe's view of a Service's endpoints: which are ready now, and what each endpoint was
// doing over time (ready, terminating, gone), so that a failure can say where it went.
import { readFileSync } from 'node:fs';
import { listWatch } from './lib/list-watch.ts';
import * as sim from './sim.ts';

export interface Endpoint {
  ip: string;
  port: number;
}

/** One endpoint's conditions as the watch saw them change; `pod` as its targetRef names it. */
export interface EndpointState {
  at: number;
  pod: string;
  condition: 'ready' | 'terminating (serving)' | 'terminating' | 'not ready' | 'gone from the EndpointSlice';
}

export interface EndpointHistory {
  ready(): Endpoint[];
  history(ip: string): EndpointState[];
  /** When the set of ready endpoints last changed (ms since the epoch). */
  lastChangeAt(): number;
  stop(): { error?: string; minReady: number; events: number };
}

export interface EndpointHistoryOptions {
  /** The kube-system Service whose EndpointSlices are watched. */
  service: string;
  /** The port counted as the endpoints' (its name and protocol in the slice). */
  port: { name: string; protocol: 'TCP' | 'UDP' };
  /** The watcher's User-Agent (the audit log tells the probes apart). */
  agent: string;
  stateDir?: string;
}

/**
 * The ready endpoints of a kube-system Service (and each endpoint's history), kept current by a watch (list, then watch from
 * its resourceVersion; a watch the server ends normally is resumed). Any error is kept
 * and reported by stop(): a probe that lost sight of the endpoints proves nothing.
 */
export async function followEndpoints(options: EndpointHistoryOptions): Promise<EndpointHistory> {
  const info = sim.info(options.stateDir);
  const ca = readFileSync(info.caFile);
  const base = `/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${options.service}`)}`;
  const bySlice = new Map<string, Endpoint[]>();
  let current: Endpoint[] = [];
  let minReady = Number.POSITIVE_INFINITY;
  let events = 0;
  // The list's slices set the start; only the watch's changes count as events.
  let watching = false;
  let lastChangeAt = Date.now();
  const history = new Map<string, EndpointState[]>();
  const listedBySlice = new Map<string, string[]>();
  const note = (ip: string, pod: string | undefined, condition: EndpointState['condition']) => {
    const seen = history.get(ip) ?? [];
    const last = seen.at(-1);
    if (last?.condition !== condition) seen.push({ at: Date.now(), pod: pod ?? last?.pod ?? '?', condition });
    history.set(ip, seen);
  };
  const conditionOf = (e: any): EndpointState['condition'] => {
    const c = e.conditions ?? {};
    return c.ready !== false ? 'ready' : c.terminating ? (c.serving ? 'terminating (serving)' : 'terminating') : 'not ready';
  };

  const update = (slice: any, deleted: boolean) => {
    const port = (slice.ports ?? []).find((p: any) => (p.protocol ?? 'TCP') === options.port.protocol && p.name === options.port.name)?.port;
    const listed = deleted ? [] : (slice.endpoints ?? []);
    for (const e of listed) note(e.addresses[0], e.targetRef?.name, conditionOf(e));
    const ips: string[] = listed.map((e: any) => e.addresses[0]);
    for (const ip of listedBySlice.get(slice.metadata.name) ?? []) if (!ips.includes(ip)) note(ip, undefined, 'gone from the EndpointSlice');
    listedBySlice.set(slice.metadata.name, ips);
    const ready = !port ? [] : listed.filter((e: any) => e.conditions?.ready !== false).map((e: any) => ({ ip: e.addresses[0], port }));
    if (ready.length === 0) bySlice.delete(slice.metadata.name);
    else bySlice.set(slice.metadata.name, ready);
    const before = current.map((e) => e.ip).sort().join();
    current = [...bySlice.values()].flat();
    if (current.map((e) => e.ip).sort().join() !== before) lastChangeAt = Date.now();
  };

  const watch = await listWatch({
    server: info.server,
    ca,
    headers: { Authorization: `Bearer ${info.adminToken}`, 'User-Agent': options.agent },
    path: base,
    what: `${options.service}'s EndpointSlices`,
    onObject: (slice, deleted) => {
      if (watching) events++;
      update(slice, deleted);
      if (watching) minReady = Math.min(minReady, current.length);
    },
  });
  minReady = current.length;
  watching = true;

  return {
    ready: () => current,
    history: (ip) => history.get(ip) ?? [],
    lastChangeAt: () => lastChangeAt,
    stop() {
      watch.stop();
      return { error: watch.error(), minReady: minReady === Number.POSITIVE_INFINITY ? 0 : minReady, events };
    },
  };
}

/** An endpoint's history for a failure's explanation, times since the probe started. */
export function describeHistory(history: EndpointState[], startedAt: number): string {
  return history.map((h) => `+${h.at - startedAt}ms ${h.pod} ${h.condition}`).join(', ') || 'never listed';
}
