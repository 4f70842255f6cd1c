// Where the simulator keeps its files and which ports it listens on. One place, so
// that cli.ts, the test setup, the demo and the benchmarks agree.
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export const versions = { kubernetes: 'v1.35.4', etcd: '3.6.16', kwok: 'v0.8.0', coredns: 'v1.12.1', cpa: 'v1.10.3', metricsServer: 'v0.8.0' } as const;

/** $KAPSULE_HA_SIM_PORT_OFFSET shifts every port: with its own $KAPSULE_HA_SIM_DIR, a second simulator runs beside the first. */
const portOffset = Number(process.env.KAPSULE_HA_SIM_PORT_OFFSET ?? 0) || 0;

/** Non-default ports on 127.0.0.1, so that a real cluster's tools on this machine do not clash. */
export const ports = {
  etcdClient: 12379 + portOffset,
  etcdPeer: 12380 + portOffset,
  apiserver: 16443 + portOffset,
  controllerManager: 17257 + portOffset,
  scheduler: 17259 + portOffset,
  kwok: 17247 + portOffset,
  /** The process runner's health endpoint (test/sim/runner). */
  runner: 17249 + portOffset,
} as const;

/** The Kapsule cluster being simulated: names, networks and its region. */
export const cluster = {
  name: 'kapsule-sim',
  id: '6a3c1b2e-7d4f-4e5a-9b8c-0d1e2f3a4b5c',
  region: 'fr-par',
  zones: ['fr-par-1', 'fr-par-2', 'fr-par-3'],
  serviceCidr: '10.32.0.0/20',
  dnsServiceIp: '10.32.0.10',
  podCidr: '100.64.0.0/12',
  /**
   * Where kwok hands out its pods' IPs: the bottom half of the pod range. The runner's pods
   * (100.79.0.0/16) and the probes' sandboxes (100.78.0.0/16) are outside it, so kwok never
   * recycles one of their addresses (it takes back every deleted pod's IP inside its range).
   */
  kwokPodCidr: '100.64.0.0/13',
} as const;

export interface Layout {
  stateDir: string;
  binDir: string;
  pkiDir: string;
  logDir: string;
  pidDir: string;
  etcdDataDir: string;
  kubeconfig: string;
  auditLog: string;
  auditPolicy: string;
  tokenFile: string;
  kwokConfig: string;
  /** The options `up` was given and the cluster's secrets: read back by later commands. */
  stateFile: string;
  /** Objects that exist once the sim is up and seeded: reset keeps them, deletes the rest. */
  baselineFile: string;
  lockFile: string;
  componentKubeconfig: (component: string) => string;
}

export function layout(stateDir = defaultStateDir()): Layout {
  const dir = path.resolve(stateDir);
  return {
    stateDir: dir,
    binDir: process.env.SIM_BIN ?? path.join(repoRoot, '.cache/sim/bin'),
    pkiDir: path.join(dir, 'pki'),
    logDir: path.join(dir, 'logs'),
    pidDir: path.join(dir, 'pids'),
    etcdDataDir: path.join(dir, 'etcd'),
    kubeconfig: path.join(dir, 'kubeconfig'),
    auditLog: path.join(dir, 'logs/audit.log'),
    auditPolicy: path.join(dir, 'audit-policy.yaml'),
    tokenFile: path.join(dir, 'pki/tokens.csv'),
    kwokConfig: path.join(dir, 'kwok.yaml'),
    stateFile: path.join(dir, 'state.json'),
    baselineFile: path.join(dir, 'baseline.json'),
    lockFile: path.join(dir, 'up.lock'),
    componentKubeconfig: (component) => path.join(dir, 'kubeconfigs', `${component}.yaml`),
  };
}

/** `.sim/` at the repository root, or $KAPSULE_HA_SIM_DIR. */
export function defaultStateDir(): string {
  return process.env.KAPSULE_HA_SIM_DIR ?? path.join(repoRoot, '.sim');
}

export const sourceDir = path.resolve(import.meta.dirname, '..');

/** The process runner's entry point, run by the Node.js that starts the simulator (see runner/main.ts). */
export const runnerMain = path.join(sourceDir, 'runner/main.ts');
