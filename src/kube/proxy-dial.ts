// A raw connection to the API server through a proxy, on which the transport runs TLS
// and HTTP/2 itself (an http.Agent would hide the socket): an HTTP CONNECT tunnel
// (node:http's CONNECT request; the proxy reached over TLS for https://) or SOCKS5
// (proxy-socks.ts: the `socks` library, in the third bundle, loaded only then). Credentials in
// the proxy URL are sent as Proxy-Authorization (Basic) or SOCKS5 user/password.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { describeProxy, type ProxyChoice } from './proxy.ts';

/** Marks a failure of the proxy itself, so that the message names the proxy, not the server. */
export interface ProxyFailure extends NodeJS.ErrnoException {
  proxy: string;
}

export async function dialThroughProxy(choice: ProxyChoice, host: string, port: number, signal: AbortSignal): Promise<Socket> {
  try {
    if (choice.url.protocol !== 'socks5:') return await dialConnect(choice.url, host, port, signal, choice.ca);
    const { dialSocks } = await import('./proxy-socks.ts');
    return await dialSocks(choice.url, host, port, signal);
  } catch (error) {
    throw Object.assign(error as Error, { proxy: describeProxy(choice) });
  }
}

function dialConnect(proxy: URL, host: string, port: number, signal: AbortSignal, ca: string[] | undefined): Promise<Socket> {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { Host: target };
  if (proxy.username) headers['Proxy-Authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
  const secure = proxy.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxy.port || (secure ? 443 : 80)),
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
      signal,
      ...(secure && ca ? { ca } : {}),
    });
    request.once('connect', (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        const failure = Object.assign(new Error(`${`the proxy answered ${response.statusCode} ${response.statusMessage ?? ''}`.trim()} to CONNECT ${target}`), { code: 'EPROXY' });
        return reject(failure);
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('error', reject);
    request.end();
  });
}

export type Dialer = (host: string, port: number, signal: AbortSignal) => Promise<Socket>;

/**
 * A keep-alive agent for HTTP/1.1 whose connections are tunnels of `dial` (TLS inside
 * them for https), for servers that do not speak HTTP/2.
 */
export function tunnelAgent(dial: Dialer, secure: boolean, tlsOptions: tls.ConnectionOptions): http.Agent {
  const base = secure ? https.Agent : http.Agent;
  // Only what is set: an undefined servername would override the one the agent derives.
  tlsOptions = Object.fromEntries(Object.entries(tlsOptions).filter(([, value]) => value !== undefined));
  const agent = new base({ keepAlive: true, ...tlsOptions });
  type Callback = (error: Error | null, socket?: Socket) => void;
  (agent as unknown as { createConnection: (options: tls.ConnectionOptions, callback: Callback) => undefined }).createConnection = (options, callback) => {
    dial(String(options.host), Number(options.port), new AbortController().signal).then(
      (raw) => callback(null, secure ? tls.connect({ ...options, ...tlsOptions, socket: raw }) : raw),
      (error: Error) => callback(error),
    );
    return undefined;
  };
  return agent;
}
