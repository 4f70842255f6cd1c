// SOCKS5 dialing with the `socks` library (SocksClient.createConnection gives the raw
// socket the transport runs TLS and HTTP/2 on). Bundled with client-node, which uses
// the same library, so that it costs nothing unless a socks5:// proxy is configured.
import { SocksClient } from 'socks';
import type { Socket } from 'node:net';

export async function dialSocks(proxy: URL, host: string, port: number, signal: AbortSignal): Promise<Socket> {
  const { socket } = await SocksClient.createConnection({
    proxy: {
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxy.port || 1080),
      type: 5,
      ...(proxy.username ? { userId: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) } : {}),
    },
    command: 'connect',
    // A host name goes to the proxy unresolved (as Go's SOCKS5 dialer): the bastion resolves it.
    destination: { host, port },
    set_tcp_nodelay: true,
  });
  if (signal.aborted) {
    socket.destroy();
    throw signal.reason as Error;
  }
  return socket;
}
