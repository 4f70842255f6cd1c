// The simulator as the benchmarks use it: started if none runs (and stopped at the end
// only then), an environment where `kubectl` is the anchor (kubectl built alone), and request
// counts from the API server's audit log, by user agent.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as sim from '../../test/sim/sim.ts';
import type { AuditEvent } from '../../test/sim/sim.ts';

export { sim };
export type { AuditEvent };

/** The plugin's user agent starts with this; kubectl's with `kubectl/`. */
export const PLUGIN_AGENT = 'kubectl-kapsule_ha/';
export const KUBECTL_AGENT = 'kubectl/';
/** The benchmark's own requests (sentinels, watches): never counted. */
export const BENCH_AGENT = 'kapsule-ha-bench';

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
/** Reviews are created but persist nothing: asking the API server, not writing to it. */
const REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews', 'tokenreviews']);
export const isReview = (event: AuditEvent): boolean => REVIEWS.has(event.objectRef?.resource ?? '');
/** A request that changes the cluster's state. */
export const isWrite = (event: AuditEvent): boolean => WRITE_VERBS.has(event.verb) && !isReview(event);
/** When the API server received the request (epoch milliseconds). */
export const receivedAt = (event: AuditEvent): number => Date.parse(event.requestReceivedTimestamp ?? event.stageTimestamp ?? '');
export const byAgent = (prefix: string) => (event: AuditEvent): boolean => (event.userAgent ?? '').startsWith(prefix);

export interface Cluster {
  info: sim.SimInfo;
  /** Environment for the plugin and for kubectl: KUBECONFIG, PATH with the anchor kubectl first, a private kubectl cache. */
  env: NodeJS.ProcessEnv;
  kubectl: string;
  /** Whether this run started the simulator (then stop() stops it). */
  started: boolean;
  stop(): Promise<void>;
}

/** `kubectl`: the binary the guide's commands and the comparisons run (the anchor, bench/lib/anchors.ts). */
export async function openCluster(log: (line: string) => void, kubectl: string): Promise<Cluster> {
  const started = !(await sim.isRunning());
  if (started) log(`starting the simulator (${sim.info().stateDir}) …`);
  const info = await sim.up();
  const scratch = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-bench-'));
  const binDir = path.join(scratch, 'bin');
  mkdirSync(binDir);
  symlinkSync(kubectl, path.join(binDir, 'kubectl'));
  const env = {
    ...process.env,
    KUBECONFIG: info.kubeconfig,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    // kubectl's discovery and OpenAPI cache: private to the benchmark, warmed by its warm-up round.
    KUBECACHEDIR: path.join(scratch, 'kube-cache'),
    NO_COLOR: '1',
  };
  return {
    info,
    env,
    kubectl,
    started,
    async stop() {
      rmSync(scratch, { recursive: true, force: true });
      if (started) await sim.down();
    },
  };
}

/** The audit events after `offset` (the benchmark's own excepted), once the log has caught up. */
export async function auditSince(offset: number): Promise<AuditEvent[]> {
  const { events } = await sim.readAuditCaughtUp(offset);
  return events.filter((event) => !(event.userAgent ?? '').startsWith(BENCH_AGENT));
}

/**
 * Waits until the control plane is quiet (fewer than `perSecond` audited requests in a
 * second, the benchmark's own excepted), at most `timeoutMs`: after nodes are added or
 * removed, controllers and kwok keep the API server busy for a while. Returns the wait.
 */
export async function quiesce(perSecond = 5, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  let offset = sim.auditOffset();
  while (Date.now() - started < timeoutMs) {
    await sleep(1000);
    const read = sim.readAudit(offset);
    offset = read.offset;
    if (read.events.filter((event) => !(event.userAgent ?? '').startsWith(BENCH_AGENT)).length < perSecond) break;
  }
  return Date.now() - started;
}

export async function serverVersion(): Promise<string> {
  const api = sim.apiClient({ userAgent: BENCH_AGENT });
  try {
    return (await api.get<{ gitVersion: string }>('/version')).body.gitVersion;
  } finally {
    api.close();
  }
}
