// Opening a connection to the API server, each step within a limit of its own and ended
// at once by the run's abort signal (Ctrl-C, a fleet run's --context-timeout): TCP (or a
// proxy tunnel, proxy-dial.ts), then TLS with ALPN. Used by both HTTP/2 and HTTP/1.1.
import { once } from 'node:events';
import net, { isIP, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { Dialer } from './proxy-dial.ts';
import { abortError, formatMs, noAnswerError, whileConnecting } from './transport-errors.ts';

export interface TlsMaterial {
  /** The cluster's CA, or the machine's trust store (PEM list) when it names none. */
  ca?: Buffer | string[] | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  rejectUnauthorized?: boolean | undefined;
  servername?: string | undefined;
}

export interface Endpoint {
  host: string;
  port: number;
  /** undefined: plain TCP (http://). */
  tls: TlsMaterial | undefined;
  /** Opens the raw connection (a proxy tunnel); undefined: connect directly. */
  dial: Dialer | undefined;
}

export interface ConnectLimits {
  /** TCP connected, or the proxy's tunnel open (kubectl's dialer: 30s). */
  connectMs: number;
  /** TLS handshake done once connected (client-go's TLSHandshakeTimeout: 10s). */
  tlsHandshakeMs: number;
}

export const CONNECT_LIMITS: ConnectLimits = { connectMs: 30_000, tlsHandshakeMs: 10_000 };

/** A connected socket (TLS with `alpn` offered when the endpoint has TLS). Failures are marked `connecting`. */
export async function openConnection(endpoint: Endpoint, alpn: string[], signal: AbortSignal | undefined, limits = CONNECT_LIMITS): Promise<Socket | TLSSocket> {
  try {
    const raw = await connectRaw(endpoint, signal, limits.connectMs);
    return endpoint.tls ? await handshake(raw, endpoint, alpn, signal, limits.tlsHandshakeMs) : raw;
  } catch (error) {
    throw whileConnecting(error as Error);
  }
}

async function connectRaw(endpoint: Endpoint, signal: AbortSignal | undefined, limitMs: number): Promise<Socket> {
  const { host, port, dial } = endpoint;
  if (dial) {
    const controller = new AbortController();
    const stop = (reason: Error) => controller.abort(reason);
    return settle(dial(host, port, AbortSignal.any(signal ? [signal, controller.signal] : [controller.signal])), signal, limitMs, stop, 'could not be reached: the proxy opened no tunnel to it', (socket) => socket.destroy());
  }
  const socket = net.connect({ host, port });
  return settle(
    once(socket, 'connect').then(() => socket),
    signal,
    limitMs,
    (reason) => socket.destroy(reason),
    'did not accept a TCP connection',
  );
}

function handshake(raw: Socket, endpoint: Endpoint, alpn: string[], signal: AbortSignal | undefined, limitMs: number): Promise<TLSSocket> {
  const material = endpoint.tls!;
  const socket = tls.connect({
    socket: raw,
    // host also names the server to check the certificate against inside a tunnel.
    host: endpoint.host,
    servername: material.servername ?? (isIP(endpoint.host) ? undefined : endpoint.host),
    ca: material.ca,
    cert: material.cert,
    key: material.key,
    rejectUnauthorized: material.rejectUnauthorized ?? true,
    ALPNProtocols: alpn,
  });
  return settle(
    once(socket, 'secureConnect').then(() => socket),
    signal,
    limitMs,
    (reason) => {
      socket.destroy(reason);
      raw.destroy();
    },
    'did not complete the TLS handshake',
  );
}

/**
 * `step` within `limitMs` ("<what> within 10s"), or aborted by `signal`: `stop` ends the
 * attempt either way; a step that succeeds after it was given up is cleaned up by `discard`.
 */
function settle<T>(step: Promise<T>, signal: AbortSignal | undefined, limitMs: number, stop: (reason: Error) => void, what: string, discard?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (reason: Error) =>
      finish(() => {
        stop(reason);
        reject(reason);
      });
    const onAbort = () => fail(abortError('the connection attempt was aborted'));
    const timer = setTimeout(() => fail(noAnswerError(`${what} within ${formatMs(limitMs)}`, true)), limitMs);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    step.then(
      (value) => (done ? discard?.(value) : finish(() => resolve(value))),
      (error: Error) => finish(() => reject(error)),
    );
  });
}
