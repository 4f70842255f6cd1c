// SOCKS5 dialing with the `socks` library (SocksClient.createConnection gives the raw
// socket the transport runs TLS and HTTP on). Bundled with client-node, which uses
// the same library, so that it costs nothing unless a socks5:// proxy is configured.
// The TCP connection to the proxy is ours, so that the signal ends the dial at once.
import net, { type Socket } from 'node:net';
import { SocksClient } from 'socks';

export async function dialSocks(proxy: URL, host: string, port: number, signal: AbortSignal): Promise<Socket> {
  const address = { host: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port || 1080) };
  const toProxy = net.connect(address);
  toProxy.setNoDelay(true);
  const onAbort = () => toProxy.destroy(signal.reason as Error);
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: { ...address, type: 5, ...(proxy.username ? { userId: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) } : {}) },
      command: 'connect',
      // A host name goes to the proxy unresolved (as Go's SOCKS5 dialer): the bastion resolves it.
      destination: { host, port },
      existing_socket: toProxy,
    });
    if (signal.aborted) throw signal.reason as Error;
    return socket as Socket;
  } catch (error) {
    toProxy.destroy();
    throw signal.aborted ? (signal.reason as Error) : error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
