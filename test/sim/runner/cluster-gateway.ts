// The cluster gateway: a simulator component started as
//   unshare --net node test/sim/runner/cluster-gateway.ts --state-dir=<dir>
// so that it holds the simulated cluster's network namespace (it lives as long as this
// process). Inside it: the API server's advertise address, where connections (from
// kube-proxy, and from pods through the `kubernetes` Service) are passed to the API server
// through the runner's unix socket; the upstream DNS server (dnsPolicy Default); and an
// HTTP CONNECT proxy on a unix socket, the way into the namespace for the API server
// (its egress selector, as konnectivity on Kapsule), the runner's probes and the tests.
import { execFileSync } from 'node:child_process';
import { rm, writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { cluster, ports, layout } from '../lib/layout.ts';
import { kubeletPort } from '../lib/config-files.ts';
import { clusterAddresses, networkFiles } from '../lib/pod-network.ts';
import { splice } from './splice.ts';
import { startUpstream } from './upstream.ts';

const stateDirFlag = process.argv.find((a) => a.startsWith('--state-dir='));
if (!stateDirFlag) throw new Error('usage: unshare --net node test/sim/runner/cluster-gateway.ts --state-dir=<dir>');
const files = networkFiles(layout(stateDirFlag.slice('--state-dir='.length)));
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

function configureNamespace(): void {
  const script = [
    'ip link set lo up',
    `ip addr add ${clusterAddresses.gateway}/32 dev lo`,
    // Every pod's next hop: a local address here, so ARP for it is answered on every veth.
    `ip addr add ${clusterAddresses.podGateway}/32 dev lo`,
    // Every node's InternalIP is this namespace's own, as a node's address is its host's.
    `ip route add local ${clusterAddresses.nodeNetwork} dev lo`,
    // A route for the Service range, as a node's default route gives one: a connection made
    // here to a ClusterIP (the API server's egress to an aggregated API or a webhook) needs a
    // route before kube-proxy's output chain rewrites it to an endpoint. Not rewritten (no
    // endpoint): it is this namespace's own address and is refused.
    `ip route add local ${cluster.serviceCidr} dev lo`,
    // A router between the pods' veths; reverse-path filtering off, as Calico sets it.
    'echo 1 > /proc/sys/net/ipv4/ip_forward',
    'echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter',
    'echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter',
  ].join('\n');
  execFileSync('sh', ['-ec', script], { stdio: ['ignore', 'inherit', 'inherit'] });
}

function listen(server: net.Server, ...args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    (server.listen as (...a: unknown[]) => void)(...args, () => resolve());
  });
}

/** CONNECT host:port → a TCP connection from this namespace, bytes passed as they are. */
function connectProxy(): http.Server {
  const proxy = http.createServer((_, response) => response.writeHead(405).end('CONNECT only\n'));
  proxy.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(request.url ?? '');
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), match[1]);
    const failed = (error: Error) => {
      // Logged: a refused connection to a ClusterIP is one kube-proxy did not rewrite, or sent to an endpoint that had stopped.
      log(`CONNECT ${match[1]}:${match[2]} failed: ${error.message}`);
      if (!client.destroyed) client.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\n${error.message}\n`);
    };
    upstream.once('error', failed);
    upstream.once('connect', () => {
      upstream.off('error', failed);
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      splice(client, upstream);
    });
    client.on('error', () => upstream.destroy());
  });
  return proxy;
}

async function main(): Promise<void> {
  configureNamespace();
  await mkdir(files.dir, { recursive: true });
  await rm(files.egressSocket, { force: true });
  // The API server, at its advertise address and 127.0.0.1 here (kube-proxy's kubeconfig).
  await listen(
    net.createServer((client) => splice(client, net.connect(files.apiSocket))),
    ports.apiserver,
    '0.0.0.0',
  );
  // Each node's kubelet port (every node IP is local here): kwok's server, which serves the
  // nodes' /metrics/resource (kwok/metrics.yaml), through the runner's unix socket.
  await listen(
    net.createServer((client) => splice(client, net.connect(files.kubeletSocket))),
    kubeletPort,
    '0.0.0.0',
  );
  await startUpstream(clusterAddresses.upstreamDns);
  await listen(connectProxy(), files.egressSocket);
  await writeFile(files.ready, '');
  log(`cluster network up: API server at ${clusterAddresses.gateway}:${ports.apiserver}, kubelets at <node IP>:${kubeletPort}, upstream DNS at ${clusterAddresses.upstreamDns}:53, CONNECT proxy at ${files.egressSocket}`);
}

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
main().catch((error) => {
  log(`cluster gateway failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
