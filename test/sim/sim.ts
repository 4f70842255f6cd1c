// The local Kapsule simulator: one module for the CLI (npm run sim:*), the test setup,
// the demo and the benchmarks. A real control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler v1.35.4) with kwok running fake Kapsule nodes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Api } from './lib/api.ts';
import { auditEndOffset, readAuditAfterSentinel, readAuditFile, waitForAuditEvents, type AuditEvent } from './lib/audit.ts';
import { deleteExtras, saveBaseline } from './lib/cleanup.ts';
import { componentNames } from './lib/components.ts';
import { server } from './lib/config-files.ts';
import { checkPortsFree, ensureBinaries, prepareStateDir, startComponent, startControlPlane } from './lib/control-plane.ts';
import { runKubectl, type KubectlResult } from './lib/kubectl.ts';
import { cluster, layout, type Layout } from './lib/layout.ts';
import { defaultShape, desiredNodes, reconcileNodes, type NodesPerZone } from './lib/nodes.ts';
import { pkiFiles, users } from './lib/pki.ts';
import { runningProcesses, stopProcesses } from './lib/processes.ts';
import { objectKey } from './lib/resources.ts';
import { restoreSeed, seedObjects } from './lib/seed.ts';
import { waitUntilSettled } from './lib/settle.ts';
import { defaultStartDelayMs, readState, withLock, writeState, type SimState } from './lib/state.ts';
import { upgradeManifests } from './lib/upgrade.ts';
import { clusterNetns, createSandbox, destroySandbox, httpGetInCluster } from './lib/pod-network.ts';
import { openUdpRelay } from './lib/udp-relay.ts';
import { podPidDir, runnerMarker, stopPodProcesses } from './runner/pod-processes.ts';

const runCommand = promisify(execFile);

export type { AuditEvent } from './lib/audit.ts';
export type { NodesPerZone } from './lib/nodes.ts';
export { upgradedArgs, upgradedImages, upgradedCorefileLine } from './lib/upgrade.ts';

export interface SimOptions {
  /** Nodes per zone in each pool; default { default: 1, autoscaled: 2 } (9 nodes over 3 zones). */
  nodesPerZone?: NodesPerZone;
  zones?: string[];
  /** Where state, logs and the kubeconfig go; default .sim/ at the repository root (or $KAPSULE_HA_SIM_DIR). */
  stateDir?: string;
  /** The runner's stand-in for the image pull (mean ms, ±1/3 jitter); default 3000. See setStartDelay. */
  startDelayMs?: number;
}

export interface SimInfo {
  kubeconfig: string;
  server: string;
  auditLog: string;
  binDir: string;
  stateDir: string;
  adminContext: 'admin';
  restrictedContext: 'restricted';
  restrictedUser: string;
  adminToken: string;
  restrictedToken: string;
  /** The CA that signed the API server's certificate (PEM file). */
  caFile: string;
  nodesPerZone: NodesPerZone;
  zones: string[];
  /** The runner's start-up delay now (setStartDelay; reset puts back the one `up` was given). */
  startDelayMs: number;
}

/** Paths, contexts and tokens of the running simulator (tokens are empty when none runs). */
export function info(stateDir?: string): SimInfo {
  const l = layout(stateDir);
  const state = readState(l);
  return {
    kubeconfig: l.kubeconfig,
    server,
    auditLog: l.auditLog,
    binDir: l.binDir,
    stateDir: l.stateDir,
    adminContext: 'admin',
    restrictedContext: 'restricted',
    restrictedUser: users.restricted.name,
    adminToken: state?.tokens.admin ?? '',
    restrictedToken: state?.tokens.restricted ?? '',
    caFile: pkiFiles(l).caCert,
    nodesPerZone: state?.nodesPerZone ?? defaultShape,
    zones: state?.zones ?? [...cluster.zones],
    startDelayMs: state?.startDelayMs ?? defaultStartDelayMs,
  };
}

/** All five components run and the API server answers. */
export async function isRunning(stateDir?: string): Promise<boolean> {
  const l = layout(stateDir);
  const running = await runningProcesses(l);
  if (!componentNames.every((name) => running.has(name)) || !readState(l)) return false;
  const api = adminApi(l);
  try {
    return (await api.get('/readyz', [500])).status === 200;
  } catch {
    return false;
  } finally {
    api.close();
  }
}

/**
 * Builds the binaries if missing, starts the control plane and kwok, creates the nodes
 * and kube-system's seed, and waits until nodes are Ready and the seed Deployments
 * Available. A no-op returning info() when the simulator already runs.
 */
export async function up(options: SimOptions = {}): Promise<SimInfo> {
  const l = layout(options.stateDir);
  return withLock(l, async () => {
    if (await isRunning(l.stateDir)) return info(l.stateDir);
    // Leftovers of a simulator that half-died: stop them and start afresh.
    await stopAll(l);
    await ensureBinaries(l);
    await checkPortsFree();
    const tokens = await prepareStateDir(l);
    const startDelayMs = options.startDelayMs ?? defaultStartDelayMs;
    const state: SimState = { nodesPerZone: options.nodesPerZone ?? defaultShape, zones: options.zones ?? [...cluster.zones], tokens, startDelayMs, initial: { startDelayMs } };
    await writeState(l, state);
    const api = adminApi(l);
    try {
      await startControlPlane(l, async () => {
        await reconcileNodes(api, desiredNodes(state.nodesPerZone, state.zones));
        await restoreSeed(api);
      });
      await waitUntilSettled(api, settledTarget(state), 180_000);
      await saveBaseline(api, l);
    } catch (error) {
      await stopAll(l);
      throw error;
    } finally {
      api.close();
    }
    return info(l.stateDir);
  });
}

/** Stops every component started from the state directory (by pid) and removes the state. */
export async function down(stateDir?: string): Promise<void> {
  const l = layout(stateDir);
  // The state goes too, so there is nothing for a graceful shutdown (3s for the API server) to save.
  await stopAll(l, 0);
  await rm(l.stateDir, { recursive: true, force: true });
}

/**
 * Back to the freshly seeded state, without restarting anything: see README.md
 * ("What reset guarantees") for exactly what is restored.
 */
export async function reset(stateDir?: string): Promise<void> {
  const l = layout(stateDir);
  const state = await requireRunning(l);
  // The settings first, so that pods the reset starts (a coredns scaled to 0) already use them.
  const startDelayMs = state.initial?.startDelayMs ?? defaultStartDelayMs;
  if (state.startDelayMs !== startDelayMs) await writeState(l, { ...state, startDelayMs });
  const api = adminApi(l);
  try {
    const seed = seedObjects();
    const cleaned = await deleteExtras(api, l, new Set(seed.map((object) => objectKey(object))));
    await reconcileNodes(api, desiredNodes(state.nodesPerZone, state.zones));
    await restoreSeed(api, seed);
    await waitUntilSettled(api, { ...settledTarget(state), deletedNamespaces: cleaned.namespaces, onlySeedPods: true });
  } finally {
    api.close();
  }
}

/**
 * The scripted Kapsule upgrade: `kubectl apply` of the seed Deployments with newer
 * images (metrics-server also with a new argument) and of the coredns ConfigMap with one Corefile line changed (cache 30 → 60);
 * replicas go back to 1. Waits for the originals to roll out.
 */
export async function upgrade(stateDir?: string): Promise<void> {
  const l = layout(stateDir);
  const state = await requireRunning(l);
  const result = await runKubectl(l.binDir, l.kubeconfig, ['apply', '-f', '-'], { context: 'admin', input: upgradeManifests(seedObjects()) });
  if (result.code !== 0) throw new Error(`the simulated upgrade's kubectl apply failed: ${result.stderr.trim()}`);
  const api = adminApi(l);
  try {
    await waitUntilSettled(api, settledTarget(state));
  } finally {
    api.close();
  }
}

/**
 * Changes the number of nodes (e.g. 1,000+ for a benchmark) without restarting; reset
 * goes back to the shape `up` was given.
 */
export async function scaleNodes(nodesPerZone: NodesPerZone, stateDir?: string): Promise<void> {
  const l = layout(stateDir);
  const state = await requireRunning(l);
  const api = adminApi(l);
  try {
    const nodes = desiredNodes(nodesPerZone, state.zones);
    await reconcileNodes(api, nodes);
    await waitUntilSettled(api, { nodeNames: nodes.map((n) => n.metadata.name), deployments: [] }, 600_000);
  } finally {
    api.close();
  }
}

/** Audit events (stage ResponseComplete) after byte `sinceOffset`, and the next offset. */
export function readAudit(sinceOffset = 0, stateDir?: string): { events: AuditEvent[]; offset: number } {
  return readAuditFile(layout(stateDir).auditLog, sinceOffset);
}

/**
 * Audit events after `sinceOffset`, read once the log has caught up with every request
 * answered before the call (a sentinel GET is sent and awaited in the log): use it for
 * every count of requests, and for "no writes", which an unflushed log would fake.
 */
export function readAuditCaughtUp(sinceOffset: number, options: { timeoutMs?: number; stateDir?: string } = {}): Promise<{ events: AuditEvent[]; offset: number; sentinel: AuditEvent }> {
  const l = layout(options.stateDir);
  const send = async (userAgent: string) => {
    const api = apiClient({ userAgent, stateDir: l.stateDir });
    try {
      await api.get('/api/v1/namespaces/kube-system');
    } finally {
      api.close();
    }
  };
  return readAuditAfterSentinel(l.auditLog, sinceOffset, send, options.timeoutMs);
}

/** The current end of the audit log: pass it to readAudit/waitForAudit to see only what follows. */
export function auditOffset(stateDir?: string): number {
  return auditEndOffset(layout(stateDir).auditLog);
}

/** Waits (default 5s) until `count` (default 1) events after `sinceOffset` match. */
export function waitForAudit(predicate: (event: AuditEvent) => boolean, options: { sinceOffset?: number; count?: number; timeoutMs?: number; stateDir?: string } = {}): Promise<AuditEvent[]> {
  return waitForAuditEvents(layout(options.stateDir).auditLog, predicate, options);
}

/** The built kubectl v1.35.4 with the simulator's kubeconfig (context `admin` unless told). */
export function kubectl(args: string[], options: { context?: string; input?: string; stateDir?: string } = {}): Promise<KubectlResult> {
  const l = layout(options.stateDir);
  return runKubectl(l.binDir, l.kubeconfig, args, options);
}

export { Api, ApiError } from './lib/api.ts';

// For the DNS probe, the tests, the demo and the bench (issue 10). These three are all
// that is needed outside test/sim to reach the runner's real CoreDNS pods.
export { upstreamName, upstreamAnswer } from './runner/upstream-name.ts';

// The pod network (README.md, "Network design"): pod IPs and Service ClusterIPs are
// reachable only inside the simulator's network namespaces, never from this machine's own.
export { clusterAddresses } from './lib/pod-network.ts';

/** The cluster's network namespace (`/proc/<pid>/ns/net`), where pod IPs are routed and kube-proxy programs Services: for `nsenter --net=`. */
export function clusterNetwork(stateDir?: string): string {
  return clusterNetns(layout(stateDir));
}

/** An HTTP GET to a pod IP or ClusterIP as a node would send it (through the cluster gateway). */
export function clusterHttpGet(host: string, port: number, urlPath: string, options: { stateDir?: string; timeoutMs?: number } = {}): Promise<{ status: number; body: string }> {
  return httpGetInCluster(layout(options.stateDir), host, port, urlPath, options);
}

export interface ClientSandbox {
  /** Its pod IP, from 100.78.0.0/16 (the runner's pods have 100.79.0.0/16). */
  ip: string;
  /** Its network namespace: for nsenter --net=, openUdpRelay. */
  netns: string;
  close(): Promise<void>;
}

/** A pod network namespace of the caller's own, wired as a pod's is: an application's view of Services and DNS. */
export async function openClientSandbox(stateDir?: string): Promise<ClientSandbox> {
  const l = layout(stateDir);
  for (let attempt = 0; ; attempt++) {
    const ip = `100.78.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`;
    const pidFile = path.join(podPidDir(l.stateDir), `client-${ip}.pid`);
    try {
      const sandbox = await createSandbox(l, ip, pidFile, { [runnerMarker]: l.stateDir });
      return { ip, netns: sandbox.netns, close: () => destroySandbox(l, sandbox, pidFile) };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

export { openUdpRelay, type UdpRelay } from './lib/udp-relay.ts';

/**
 * Stops kube-proxy and removes its rules (`kube-proxy --cleanup`, as when a node loses
 * it): no Service answers any more. Tests that call it must call startKubeProxy() after.
 */
export async function stopKubeProxy(stateDir?: string): Promise<void> {
  const l = layout(stateDir);
  await stopProcesses(l, ['kube-proxy']);
  await runCommand('nsenter', [`--net=${clusterNetns(l)}`, path.join(l.binDir, 'kube-proxy'), '--cleanup']);
}

export async function startKubeProxy(stateDir?: string): Promise<void> {
  await startComponent(layout(stateDir), 'kube-proxy');
}

/**
 * The pod IPs kube-proxy's rules send new connections to for a Service port
 * (`<namespace>/<service>/<protocol>/<port name>`, e.g. `kube-system/metrics-server/tcp/https`),
 * as its nftables table holds them right now: none when it has no service chain for it.
 * What a connection made this moment can reach, whatever the EndpointSlices already say.
 */
export async function kubeProxyEndpoints(servicePort: string, stateDir?: string): Promise<string[]> {
  const { stdout } = await runCommand('nsenter', [`--net=${clusterNetns(layout(stateDir))}`, 'nft', 'list', 'table', 'ip', 'kube-proxy'], { maxBuffer: 16 << 20 });
  const chain = new RegExp(`chain service-[A-Z0-9]+-${servicePort.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\{([^}]*\\}[^}]*)\\}`).exec(stdout);
  if (!chain) return [];
  return [...chain[1]!.matchAll(/goto endpoint-[A-Z0-9]+-\S+?__([0-9.]+)\/\d+/g)].map((match) => match[1]!);
}

/** One DNS query (A) from inside `netns` to server:53: the addresses, the RCODE name when there is none, or 'timeout'. */
export async function resolveIn(netns: string, server: string, name: string, timeoutMs = 2000): Promise<string[] | string> {
  const relay = await openUdpRelay(netns);
  try {
    const id = Math.floor(Math.random() * 65535);
    return await new Promise<string[] | string>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      relay.onAnswer((answerId, _from, packet) => {
        if (answerId !== id) return;
        clearTimeout(timer);
        const answer = dnsPacket.decode(packet) as any;
        const records = (answer.answers ?? []).filter((a: any) => a.type === 'A').map((a: any) => a.data as string);
        resolve(records.length > 0 ? records : answer.rcode);
      });
      relay.send(id, server, 53, dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }));
    });
  } finally {
    await relay.close();
  }
}

/** The process id of a runner pod's (first) container, from the containerID the runner reports (`sim-runner://<pid>`). */
export function processIdOf(pod: any): number {
  return Number(String(pod.status?.containerStatuses?.[0]?.containerID ?? '').replace('sim-runner://', ''));
}

/** The output (stdout and stderr, every restart) of a pod the runner runs: logs/pods/<namespace>_<pod>.log. */
export function podLogFile(namespace: string, pod: string, stateDir?: string): string {
  return path.join(layout(stateDir).logDir, 'pods', `${namespace}_${pod}.log`);
}

/**
 * The stand-in for the image pull: mean delay between a runner pod's bind and its
 * process start, with ±1/3 jitter (default 3000 ms, so 2-4 s). Kept in state.json:
 * the running runner uses it for the next pod it starts; 0 starts at once.
 */
export async function setStartDelay(ms: number, stateDir?: string): Promise<void> {
  const l = layout(stateDir);
  await writeState(l, { ...requireState(l), startDelayMs: ms });
}

/** A JSON client for the simulator as admin (or as the restricted user), with its own user agent. Close it when done. */
export function apiClient(options: { as?: 'admin' | 'restricted'; userAgent?: string; stateDir?: string } = {}): Api {
  const l = layout(options.stateDir);
  const state = requireState(l);
  return new Api(server, readFileSync(pkiFiles(l).caCert), state.tokens[options.as ?? 'admin'], options.userAgent);
}

/** Label of the scratch namespaces tests make (reset deletes every namespace created after up, labelled or not). */
export const testNamespaceLabel = 'sim.kapsule-ha/test';

/** Creates a scratch namespace `<prefix>-<random>`, labelled sim.kapsule-ha/test=true; returns its name. */
export async function createTestNamespace(prefix: string, stateDir?: string): Promise<string> {
  const api = apiClient({ stateDir });
  try {
    const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
    await api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [testNamespaceLabel]: 'true' } } } });
    return name;
  } finally {
    api.close();
  }
}

/** The components, then whatever pod processes the runner left (it stops its own on SIGTERM, given time). */
async function stopAll(l: Layout, graceMs?: number): Promise<void> {
  await stopProcesses(l, undefined, graceMs);
  await stopPodProcesses(l.stateDir);
}

function adminApi(l: Layout): Api {
  return apiClient({ stateDir: l.stateDir });
}

async function requireRunning(l: Layout): Promise<SimState> {
  if (!(await isRunning(l.stateDir))) throw new Error(`no simulator runs from ${l.stateDir}: start it with npm run sim:up`);
  return requireState(l);
}

function requireState(l: Layout): SimState {
  const state = readState(l);
  if (!state) throw new Error(`no simulator in ${l.stateDir}: run npm run sim:up first`);
  return state;
}

function settledTarget(state: SimState) {
  const seed = seedObjects();
  return {
    nodeNames: desiredNodes(state.nodesPerZone, state.zones).map((node) => node.metadata.name as string),
    deployments: seed.filter((o) => o.kind === 'Deployment').map((d) => d.metadata.name as string),
    services: seed.filter((o) => o.kind === 'Service').map((s) => s.metadata.name as string),
    apiServices: seed.filter((o) => o.kind === 'APIService').map((s) => s.metadata.name as string),
  };
}
