// The simulator's pod network (test/sim/README.md, "Network design"): one network
// namespace for the cluster, held by the cluster gateway process (runner/cluster-gateway.ts),
// and one per pod (a sandbox), held by a `sleep` of its own and joined to the cluster
// namespace by a veth pair with a routed /32 and no bridge, as Calico does (a bridge
// would let a Service-NATed reply between two pods bypass conntrack: the hairpin trap). Nothing is ever added to
// the machine's own namespace: every `ip` command runs inside one of ours (nsenter), and
// no namespace has a name in /run/netns: each lives as long as the process that holds it.
import { execFile, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { cluster, type Layout } from './layout.ts';

const run = promisify(execFile);

/** Addresses of the cluster namespace, the same in every simulator (each has its own namespace). */
export const clusterAddresses = {
  /** The API server's advertise address: the `kubernetes` Service's endpoint, where the gateway forwards to the API server. */
  gateway: '172.16.0.1',
  /** Where the upstream DNS server (runner/upstream.ts) answers: what dnsPolicy Default names. */
  upstreamDns: '172.16.0.1',
  /** The `kubernetes` Service's ClusterIP (first of the service range), and kube-dns's. */
  kubernetesService: '10.32.0.1',
  kubeDns: cluster.dnsServiceIp,
  /** The link-local next hop every pod routes through (as Calico's; a local address of the cluster namespace). */
  podGateway: '169.254.1.1',
} as const;

/** The process that holds the cluster namespace: its component name (pids/<name>.pid). */
export const gatewayComponent = 'pod-network';

export const gatewayMain = path.join(import.meta.dirname, '../runner/cluster-gateway.ts');

export function networkFiles(l: Layout) {
  const dir = path.join(l.stateDir, 'network');
  return {
    dir,
    /** HTTP CONNECT proxy into the cluster namespace: the API server's egress, the runner's probes, the tests. */
    egressSocket: path.join(dir, 'egress.sock'),
    /** The API server, for the cluster namespace (served by the runner in the machine's namespace). */
    apiSocket: path.join(dir, 'apiserver.sock'),
    ready: path.join(dir, 'ready'),
  };
}

/** `/proc/<pid>/ns/net` of the cluster gateway, after checking it is not the machine's own namespace. */
export function clusterNetns(l: Layout): string {
  const pid = Number(readFileSync(path.join(l.pidDir, `${gatewayComponent}.pid`), 'utf8').trim());
  return namespaceOf(pid, `the simulator's cluster network (${l.stateDir})`);
}

function namespaceOf(pid: number, what: string): string {
  const file = `/proc/${pid}/ns/net`;
  let ours: string;
  try {
    ours = readlinkSync(file);
  } catch {
    throw new Error(`${what} is not running (no process ${pid})`);
  }
  if (ours === readlinkSync('/proc/self/ns/net')) throw new Error(`${what}: process ${pid} is in this machine's own network namespace; refusing to touch it`);
  return file;
}

/** Runs a shell script inside a network namespace of ours. */
export async function inNetns(netns: string, script: string): Promise<string> {
  const { stdout } = await run('nsenter', [`--net=${netns}`, 'sh', '-ec', script]);
  return stdout;
}

export interface Sandbox {
  ip: string;
  /** The sandbox's holder: its namespace is /proc/<pid>/ns/net. */
  pid: number;
  netns: string;
  /** The veth end in the cluster namespace. */
  hostInterface: string;
}

/**
 * A pod's network namespace with `ip` on eth0, routed from the cluster namespace by a /32
 * on its veth end. `pidFile` records the holder (with `marker` in its environment) so
 * that `down` stops it even if its creator died.
 */
export async function createSandbox(l: Layout, ip: string, pidFile: string, marker: Record<string, string>): Promise<Sandbox> {
  const cluster = clusterNetns(l);
  const holder = spawn('unshare', ['--net', 'sleep', 'infinity'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH, ...marker } });
  await new Promise<void>((resolve, reject) => {
    holder.once('spawn', resolve);
    holder.once('error', reject);
  });
  holder.unref();
  const pid = holder.pid as number;
  await mkdir(path.dirname(pidFile), { recursive: true });
  await writeFile(pidFile, `${pid}\n`);
  // `unshare` may not have left the machine's namespace yet: wait until it has.
  let netns: string | undefined;
  for (let i = 0; !netns; i++) {
    try {
      netns = namespaceOf(pid, `sandbox ${ip}`);
    } catch (error) {
      if (i > 200) throw error;
      await sleep(5);
    }
  }
  const hostInterface = `v${ip.split('.').slice(1).join('-')}`;
  try {
    await inNetns(
      cluster,
      [
        `ip link del ${hostInterface} 2>/dev/null || true`,
        `ip link add ${hostInterface} type veth peer name eth0 netns ${pid}`,
        `ip link set ${hostInterface} up`,
        `ip route replace ${ip}/32 dev ${hostInterface}`,
      ].join('\n'),
    );
    await inNetns(
      netns,
      [
        'ip link set lo up',
        `ip addr add ${ip}/32 dev eth0`,
        'ip link set eth0 up',
        `ip route add ${clusterAddresses.podGateway} dev eth0 scope link`,
        `ip route add default via ${clusterAddresses.podGateway} dev eth0`,
      ].join('\n'),
    );
  } catch (error) {
    await destroySandbox(l, { ip, pid, netns, hostInterface }, pidFile);
    throw error;
  }
  return { ip, pid, netns, hostInterface };
}

/** Removes the veth pair (and its route), then stops the holder: the namespace goes with it. */
export async function destroySandbox(l: Layout, sandbox: Sandbox, pidFile: string): Promise<void> {
  try {
    await inNetns(clusterNetns(l), `ip link del ${sandbox.hostInterface} 2>/dev/null || true`);
  } catch {
    // the cluster namespace is gone already, and everything in it
  }
  try {
    process.kill(sandbox.pid, 'SIGKILL');
  } catch {
    // gone
  }
  await rm(pidFile, { force: true });
}

/** A TCP connection to host:port as seen from the cluster namespace (the gateway's CONNECT proxy). */
export function connectInCluster(l: Layout, host: string, port: number, timeoutMs = 5000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const request = http.request({ socketPath: networkFiles(l).egressSocket, method: 'CONNECT', path: `${host}:${port}`, timeout: timeoutMs });
    request.once('connect', (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`cannot reach ${host}:${port} in the cluster network: ${response.statusCode} ${response.statusMessage}`));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      socket.setTimeout(0);
      resolve(socket);
    });
    request.once('timeout', () => request.destroy(new Error(`connecting to ${host}:${port} in the cluster network timed out`)));
    request.once('error', reject);
    request.end();
  });
}

/** An HTTP GET to a pod (or any address of the cluster network): status and body. */
export function httpGetInCluster(l: Layout, host: string, port: number, urlPath: string, options: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const request = http.get({
      host,
      port,
      path: urlPath,
      headers: options.headers,
      timeout: timeoutMs,
      createConnection: (_options: unknown, done: (error: Error | null, socket?: net.Socket) => void) => {
        connectInCluster(l, host, port, timeoutMs).then((socket) => done(null, socket), (error: Error) => done(error));
        return undefined;
      },
    } as http.RequestOptions, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${host}:${port}${urlPath} timed out`)));
    request.on('error', reject);
  });
}

