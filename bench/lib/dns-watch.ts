// Watches the kube-dns Service's EndpointSlices during a run and measures how long it had
// no ready endpoint at all: a DNS outage for the cluster.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { BENCH_AGENT, sim } from './cluster.ts';
import { now } from './run.ts';

interface Slice {
  metadata: { name: string };
  endpoints?: { conditions?: { ready?: boolean }; targetRef?: { name?: string } }[];
}

export interface DnsWatch {
  /** Milliseconds within [from, to] during which kube-dns had no ready endpoint. */
  gapMs(from: number, to: number): number;
  /** When a pod whose name starts with `prefix` was first a ready endpoint of kube-dns (undefined: never). */
  firstReady(prefix: string): number | undefined;
  stop(): void;
}

export async function watchDns(): Promise<DnsWatch> {
  const info = sim.info();
  // Per slice, the names of its ready endpoints' pods.
  const ready = new Map<string, string[]>();
  const firstSeen = new Map<string, number>();
  // (time, total ready endpoints) after each change.
  const timeline: [number, number][] = [];
  const total = () => [...ready.values()].reduce((sum, pods) => sum + pods.length, 0);
  const url = new URL('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?watch=1&labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns', info.server);
  let synced: () => void;
  const initial = new Promise<void>((resolve) => (synced = resolve));
  const request = https.get(url, { ca: readFileSync(info.caFile), headers: { Authorization: `Bearer ${info.adminToken}`, 'User-Agent': `${BENCH_AGENT}/dns-watch` } }, (response) => {
    let pending = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      const at = now();
      const parts = (pending + chunk).split('\n');
      pending = parts.pop()!;
      for (const line of parts.filter(Boolean)) {
        const event = JSON.parse(line) as { type: string; object: Slice };
        if (event.type === 'DELETED') ready.delete(event.object.metadata.name);
        else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
          const pods = (event.object.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.targetRef?.name ?? '');
          ready.set(event.object.metadata.name, pods);
          for (const pod of pods) if (!firstSeen.has(pod)) firstSeen.set(pod, at);
        }
        timeline.push([at, total()]);
      }
      synced();
    });
  });
  request.on('error', () => undefined);
  // The watch starts with the existing slices (ADDED events).
  await Promise.race([initial, new Promise((resolve) => setTimeout(resolve, 2000))]);
  return {
    gapMs(from, to) {
      let gap = 0;
      for (let index = 0; index < timeline.length; index++) {
        const [at, count] = timeline[index]!;
        if (count > 0) continue;
        const until = timeline[index + 1]?.[0] ?? to;
        gap += Math.max(0, Math.min(until, to) - Math.max(at, from));
      }
      return gap;
    },
    firstReady(prefix) {
      const times = [...firstSeen].filter(([pod]) => pod.startsWith(prefix)).map(([, at]) => at);
      return times.length > 0 ? Math.min(...times) : undefined;
    },
    stop() {
      request.destroy();
    },
  };
}
