// The process runner: a simulator component (like kwok, its own detached process) that
// plays the kubelet for pods of the images in images.ts. Started by `up` as
//   node test/sim/runner/main.ts --state-dir=<dir>
// It serves /healthz on its port once it watches pods and its upstream DNS answers.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { Api } from '../lib/api.ts';
import { server } from '../lib/config-files.ts';
import { layout, ports } from '../lib/layout.ts';
import { pkiFiles } from '../lib/pki.ts';
import { clusterAddresses, connectInCluster, networkFiles } from '../lib/pod-network.ts';
import { defaultStartDelayMs, readState } from '../lib/state.ts';
import { AddressPool } from './addresses.ts';
import { isRunnerPod } from './images.ts';
import { stopPodProcesses } from './pod-processes.ts';
import { PodWorker, readStartDelay } from './pod-worker.ts';
import { splice } from './splice.ts';
import { listAndWatch, type WatchEvent } from './watch.ts';

const stateDirFlag = process.argv.find((a) => a.startsWith('--state-dir='));
if (!stateDirFlag) throw new Error('usage: node test/sim/runner/main.ts --state-dir=<dir>');
const l = layout(stateDirFlag.slice('--state-dir='.length));
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

const state = readState(l);
if (!state) throw new Error(`no simulator state in ${l.stateDir}`);
const ca = readFileSync(pkiFiles(l).caCert);
const api = new Api(server, ca, state.tokens.runner, 'sim-runner');
const connection = { server, ca, token: state.tokens.runner };
const apiUrl = new URL(server);
const pool = new AddressPool();
const workers = new Map<string, PodWorker>();
const abort = new AbortController();

const env = {
  api,
  layout: l,
  stateDir: l.stateDir,
  binDir: l.binDir,
  logDir: l.logDir,
  apiServer: { host: clusterAddresses.kubernetesService, port: 443 },
  upstreamAddress: clusterAddresses.upstreamDns,
  clusterDns: clusterAddresses.kubeDns,
  probe: (host: string, port: number) => connectInCluster(l, host, port),
  startDelayMs: () => readStartDelay(l.stateFile, defaultStartDelayMs),
  log,
};

function podSeen(pod: any): void {
  const uid = pod.metadata.uid as string;
  const worker = workers.get(uid);
  if (worker) {
    worker.observed(pod);
    if (pod.metadata.deletionTimestamp) void worker.terminate().then(() => forget(uid), (e) => log(`${worker.key}: ${(e as Error).message}`));
    return;
  }
  if (!isRunnerPod(pod) || ['Succeeded', 'Failed'].includes(pod.status?.phase)) return;
  if (pod.metadata.deletionTimestamp) {
    // Nothing of it runs here (e.g. deleted while the runner was down): finish the deletion.
    void api.request('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { body: { gracePeriodSeconds: 0, preconditions: { uid } }, accept: [404, 409] }).catch(() => undefined);
    return;
  }
  const started = new PodWorker(pod, pool.allocate(), env);
  workers.set(uid, started);
  log(`${started.key}: bound to ${pod.spec.nodeName}, pod IP ${started.podIP}`);
  started.run().catch((error) => log(`${started.key}: ${(error as Error).message}`));
}

function podGone(uid: string): void {
  const worker = workers.get(uid);
  if (!worker) return;
  log(`${worker.key}: gone from the API`);
  // A failed clean-up is logged, never left to end the runner (and every pod with it).
  void worker
    .kill()
    .catch((e) => log(`${worker.key}: ${(e as Error).message}`))
    .finally(() => forget(uid));
}

function forget(uid: string): void {
  const worker = workers.get(uid);
  if (!worker) return;
  workers.delete(uid);
  pool.release(worker.podIP);
}

async function main(): Promise<void> {
  // Processes a previous runner of this simulator left behind.
  await stopPodProcesses(l.stateDir);
  await serveApiSocket(networkFiles(l).apiSocket, { host: apiUrl.hostname, port: Number(apiUrl.port) });
  // The nodes' kubelet port in the cluster namespace leads to kwok's server (TLS end to end).
  await serveApiSocket(networkFiles(l).kubeletSocket, { host: '127.0.0.1', port: ports.kwok });
  void listAndWatch<any>(
    api,
    connection,
    '/api/v1/pods?fieldSelector=spec.nodeName!%3D',
    {
      onSync: (pods) => {
        const uids = new Set(pods.map((p) => p.metadata.uid));
        for (const uid of workers.keys()) if (!uids.has(uid)) podGone(uid);
        pods.forEach(podSeen);
      },
      onEvent: (event: WatchEvent<any>) => (event.type === 'DELETED' ? podGone(event.object.metadata.uid) : podSeen(event.object)),
    },
    abort.signal,
  );
  void listAndWatch<any>(
    api,
    connection,
    '/api/v1/configmaps',
    {
      onSync: (maps) => {
        for (const m of maps) for (const w of workers.values()) w.configMapChanged(m.metadata.namespace, m.metadata.name);
      },
      onEvent: (event) => {
        for (const w of workers.values()) w.configMapChanged(event.object.metadata.namespace, event.object.metadata.name);
      },
    },
    abort.signal,
  );
  http.createServer((_, response) => response.end('ok')).listen(ports.runner, '127.0.0.1');
  log(`runner up: health on 127.0.0.1:${ports.runner}`);
}

/** For the cluster namespace (its gateway): passes each connection to the API server (or kwok), bytes as they are (TLS end to end). */
async function serveApiSocket(socketPath: string, apiServer: { host: string; port: number }): Promise<void> {
  await rm(socketPath, { force: true });
  const proxy = net.createServer((client) => splice(client, net.connect(apiServer.port, apiServer.host)));
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(socketPath, resolve);
  });
}

async function shutdown(): Promise<void> {
  abort.abort();
  await Promise.all([...workers.values()].map((w) => w.kill(1000)));
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

main().catch((error) => {
  log(`runner failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
