// HTTP(S) to one API server: one HTTP/2 session at a time over TLS when the server offers
// h2 by ALPN (as kubectl; http2-connection.ts), else HTTP/1.1 with keep-alive (http1.ts);
// connections within limits and through a proxy when given a dialer (connection.ts);
// TLS material and credentials from the kubeconfig; a time limit per request. Knows
// nothing of Kubernetes semantics; its failures are explained in transport-errors.ts.
import type { ConnectLimits, Endpoint, TlsMaterial } from './connection.ts';
import { Http1Transport } from './http1.ts';
import { Http2Connection } from './http2-connection.ts';
import type { Dialer } from './proxy-dial.ts';
import type { HealthTimes } from './session-health.ts';
import { abortError, timeoutError } from './transport-errors.ts';
import type { Headers, TransportRequest, TransportResponse } from './transport-types.ts';
import type { Logger } from './types.ts';

export type { TlsMaterial } from './connection.ts';
export type { Headers, TransportRequest, TransportResponse } from './transport-types.ts';

export interface TransportOptions {
  log?: Logger | undefined;
  /** false: HTTP/1.1 only (keep-alive), never offer h2. */
  http2?: boolean | undefined;
  /** Opens the raw connection (a proxy tunnel); undefined: connect directly. */
  dial?: Dialer | undefined;
  /** The run's signal (Ctrl-C, a fleet run's --context-timeout): ends every connection attempt. */
  signal?: AbortSignal | undefined;
  /** When an HTTP/2 session counts as dead (tests shorten it). */
  health?: HealthTimes | undefined;
  /** How long the server may stay silent at each step (tests shorten them). */
  limits?: SilenceLimits | undefined;
}

export type SilenceLimits = ConnectLimits & { prefaceMs: number; silenceMs: number };

export class Transport {
  readonly server: string;
  private readonly endpoint: Endpoint;
  /** The server URL's own path (a server behind a path prefix), put before every request's. */
  private readonly basePath: string;
  private readonly baseHeaders: () => Promise<Headers>;
  private readonly options: TransportOptions;
  private readonly log: Logger;
  /** Decided by ALPN on the first connection over https; http/1.1 for http:// or h2 turned off. */
  private protocol: 'h2' | 'http/1.1' | undefined;
  /** The HTTP/2 session in use (connecting or open); replaced once it is no longer usable. */
  private http2: Http2Connection | undefined;
  private http1: Http1Transport | undefined;

  constructor(server: string, tls: TlsMaterial, headers: () => Promise<Headers>, options: TransportOptions = {}) {
    this.server = server.replace(/\/+$/, '');
    const url = new URL(this.server);
    const secure = url.protocol === 'https:';
    this.basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
    this.endpoint = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (secure ? 443 : 80)), tls: secure ? tls : undefined, dial: options.dial };
    this.baseHeaders = headers;
    this.options = options;
    this.log = options.log ?? (() => {});
    if (!secure || options.http2 === false) this.protocol = 'http/1.1';
  }

  /** The protocol in use: 'h2' or 'http/1.1' (undefined before the first request over https). */
  get negotiated(): string | undefined {
    return this.protocol;
  }

  async request(request: TransportRequest, onData?: (chunk: string) => void): Promise<TransportResponse> {
    const headers: Headers = { ...(await this.baseHeaders()), ...request.headers };
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
    const path = `${this.basePath}${request.path}`;
    if (this.protocol !== 'http/1.1') {
      if (!this.http2?.usable) this.http2 = new Http2Connection(this.server, this.endpoint, { log: this.log, signal: this.options.signal, health: this.options.health, limits: this.options.limits });
      const session = this.http2;
      this.protocol = await whileWaiting(session.ready, request);
      if (this.protocol === 'h2') return session.request(request, path, headers, onData);
    }
    this.http1 ??= new Http1Transport(this.endpoint, { signal: this.options.signal, limits: this.options.limits, silenceMs: this.options.limits?.silenceMs });
    return this.http1.request(request, path, headers, onData);
  }

  close(): void {
    this.http1?.close();
    this.http2?.close();
    this.http2 = undefined;
  }
}

/** A connection shared by several requests, awaited by one: its own signal and deadline still hold. */
function whileWaiting<T>(shared: Promise<T>, request: TransportRequest): Promise<T> {
  const { signal, deadline } = request;
  if (!signal && deadline === undefined) return shared;
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(abortError('the connection attempt was aborted'));
    };
    const timer = deadline === undefined ? undefined : setTimeout(() => {
      done();
      reject(timeoutError(request.deadlineLabel ?? 'the deadline'));
    }, Math.max(0, deadline - Date.now()));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
