// A TCP relay in front of a local server (test code only), so a test can do to a connection
// what a network does: reset it, or freeze it (TCP open, nothing passes either way, so not
// even an HTTP/2 PING is answered), and accept new connections without ever answering.
import net, { type AddressInfo, type Socket } from 'node:net';

export interface RelayedConnection {
  /** A TCP reset towards the client; the server's side is closed. */
  reset(): void;
  /** Nothing passes any more, either way; both sockets stay open. */
  freeze(): void;
}

export interface TcpRelay {
  port: number;
  /** The relayed connection the server sees coming from this port of ours. */
  connectionFrom(serverSideRemotePort: number | undefined): RelayedConnection | undefined;
  /** Freezes every connection, and every new one is accepted and never answered. */
  silence(): void;
  stop(): Promise<void>;
}

export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const byUpstreamPort = new Map<number, RelayedConnection>();
  const sockets = new Set<Socket>();
  let silent = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };

  const server = net.createServer((client) => {
    track(client);
    if (silent) return void client.pause();
    const upstream = net.connect(targetPort, '127.0.0.1');
    track(upstream);
    let frozen = false;
    const connection: RelayedConnection = {
      reset: () => {
        client.resetAndDestroy();
        upstream.destroy();
      },
      freeze: () => {
        frozen = true;
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      },
    };
    upstream.once('connect', () => byUpstreamPort.set(upstream.localPort!, connection));
    client.pipe(upstream);
    upstream.pipe(client);
    // One side gone: the other goes too (a frozen pair waits for the client to give up).
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      byUpstreamPort.delete(upstream.localPort!);
      if (!frozen) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connectionFrom: (port) => (port === undefined ? undefined : byUpstreamPort.get(port)),
    silence: () => {
      silent = true;
      for (const connection of byUpstreamPort.values()) connection.freeze();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
