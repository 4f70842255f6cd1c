// A TCP relay on loopback that adds a fixed one-way delay to every chunk in both
// directions, as a network between a laptop and a cloud region would (20 ms each way =
// 40 ms round trip). Bytes are relayed untouched, so TLS, ALPN and HTTP/2 are end to end;
// the certificate's SAN 127.0.0.1 still matches. Counts connections.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { parseDocument } from 'yaml';

export interface LatencyProxy {
  /** https://127.0.0.1:<port>, to put in a kubeconfig. */
  server: string;
  /** TCP connections accepted so far. */
  connections: number;
  stop(): Promise<void>;
}

/** Sends each chunk `delayMs` after it arrived, in order; ends the stream likewise. */
function delayed(from: net.Socket, to: net.Socket, delayMs: number): void {
  from.on('data', (chunk) => {
    setTimeout(() => to.writable && to.write(chunk), delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), delayMs + 1));
}

export async function startLatencyProxy(upstream: URL, oneWayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: LatencyProxy = { server: '', connections: 0, stop: async () => undefined };
  const server = net.createServer((client) => {
    proxy.connections++;
    client.setNoDelay(true);
    const target = net.connect({ host: upstream.hostname, port: Number(upstream.port || 443) });
    target.setNoDelay(true);
    for (const socket of [client, target]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    // The TCP handshake costs the client a round trip too: the relay answers at once, so
    // hold the client's first bytes back by one extra round trip.
    client.pause();
    setTimeout(() => client.resume(), 2 * oneWayMs);
    delayed(client, target, oneWayMs);
    delayed(target, client, oneWayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.server = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}

/** A copy of `kubeconfig` whose every cluster points at `server`. */
export function kubeconfigVia(kubeconfig: string, server: string, file: string): string {
  const document = parseDocument(readFileSync(kubeconfig, 'utf8'));
  const clusters = document.toJS().clusters as { name: string }[];
  for (const index of clusters.keys()) document.setIn(['clusters', index, 'cluster', 'server'], server);
  writeFileSync(file, document.toString());
  return file;
}
