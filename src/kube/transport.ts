// HTTP(S) to one API server: one HTTP/2 session over TLS when the server offers h2 by
// ALPN (as kubectl), else HTTP/1.1 with a keep-alive agent; TLS material and credentials
// from the kubeconfig, a time limit per request; through a proxy when given a dialer
// (proxy-dial.ts). Knows nothing of Kubernetes semantics.
import http from 'node:http';
import http2, { type ClientHttp2Session } from 'node:http2';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from './types.ts';
import { tunnelAgent, type Dialer } from './proxy-dial.ts';

/** Request headers; a list is sent as the same header repeated (Impersonate-Group). */
export type Headers = Record<string, string | string[]>;
import { checkSessionHealth, type HealthTimes } from './session-health.ts';

export interface TlsMaterial {
  /** The cluster's CA, or the machine's trust store (PEM list) when it names none. */
  ca?: Buffer | string[] | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  rejectUnauthorized?: boolean | undefined;
  servername?: string | undefined;
}

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. /api/v1/namespaces/kube-system/pods?limit=500 */
  path: string;
  headers?: Headers;
  body?: string;
  /** Deadline (epoch ms) after which the request is abandoned; undefined: none. */
  deadline?: number | undefined;
  /** How the deadline is named in the error, e.g. "2s (--request-timeout)". */
  deadlineLabel?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Error codes a request fails with when it went past its deadline or was aborted. */
export const TIMEOUT_CODE = 'KAPSULE_HA_TIMEOUT';
export const ABORT_CODE = 'ABORT_ERR';

// Without --request-timeout a silent server would still hang the connection attempt
// forever; kubectl's dialer gives up after 30s, so do we.
const CONNECT_TIMEOUT_MS = 30_000;

export interface TransportOptions {
  log?: Logger | undefined;
  /** false: HTTP/1.1 only (keep-alive), never offer h2. */
  http2?: boolean | undefined;
  /** Opens the raw connection (a proxy tunnel); undefined: connect directly. */
  dial?: Dialer | undefined;
  /** When an HTTP/2 session counts as dead (tests shorten it). */
  health?: HealthTimes | undefined;
}

export class Transport {
  readonly server: string;
  private readonly url: URL;
  private readonly tls: TlsMaterial;
  private agent: http.Agent | undefined;
  private readonly baseHeaders: () => Promise<Headers>;
  private readonly dial: Dialer | undefined;
  private readonly log: Logger;
  /** https only: which protocol the server chose by ALPN, then the HTTP/2 session if h2. */
  private protocol: 'h2' | 'http/1.1' | undefined;
  private readonly offerHttp2: boolean;
  private readonly health: HealthTimes | undefined;
  private session: Promise<ClientHttp2Session> | undefined;
  /** Streams in flight per session: a session keeps the process alive only while it has some. */
  private readonly active = new WeakMap<ClientHttp2Session, number>();

  constructor(server: string, tls: TlsMaterial, headers: () => Promise<Headers>, options: TransportOptions = {}) {
    this.server = server.replace(/\/+$/, '');
    this.url = new URL(this.server);
    this.tls = tls;
    this.baseHeaders = headers;
    this.log = options.log ?? (() => {});
    this.dial = options.dial;
    this.health = options.health;
    this.offerHttp2 = this.url.protocol === 'https:' && options.http2 !== false && process.env.KAPSULE_HA_HTTP1 !== '1';
    if (!this.offerHttp2) this.protocol = 'http/1.1';
  }

  /** The protocol in use: 'h2' or 'http/1.1' (undefined before the first request over https). */
  get negotiated(): string | undefined {
    return this.protocol;
  }

  async request(request: TransportRequest, onData?: (chunk: string) => void): Promise<TransportResponse> {
    const headers: Headers = { ...(await this.baseHeaders()), ...request.headers };
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
    if (this.protocol !== 'http/1.1') {
      const session = await this.connectHttp2(request);
      if (session) return this.requestHttp2(session, request, headers, onData);
    }
    return this.requestHttp1(request, headers, onData);
  }

  close(): void {
    this.agent?.destroy();
    const session = this.session;
    this.session = undefined;
    session?.then((value) => value.close()).catch(() => {});
  }

  private get basePath(): string {
    return this.url.pathname === '/' ? '' : this.url.pathname.replace(/\/+$/, '');
  }

  private requestHttp1(request: TransportRequest, headers: Headers, onData?: (chunk: string) => void): Promise<TransportResponse> {
    const secure = this.url.protocol === 'https:';
    if (this.dial) this.agent ??= tunnelAgent(this.dial, secure, secure ? this.tls : {});
    this.agent ??= secure ? new https.Agent({ keepAlive: true, ...this.tls }) : new http.Agent({ keepAlive: true });
    const module = secure ? https : http;
    return new Promise<TransportResponse>((resolve, reject) => {
      const outgoing = module.request({
        protocol: this.url.protocol,
        hostname: this.hostname,
        port: this.url.port || undefined,
        path: `${this.basePath}${request.path}`,
        method: request.method,
        headers,
        agent: this.agent,
        signal: request.signal,
      });
      const timers = limitTime(outgoing, request.deadline, request.deadlineLabel);
      outgoing.on('error', (error) => {
        timers.clear();
        // A kept-alive connection the server closed while idle fails the next request at
        // once; the request never reached the server (Node's documented retry case).
        reject(Object.assign(error, { reusedSocket: outgoing.reusedSocket }));
      });
      outgoing.on('response', (incoming) => {
        incoming.setEncoding('utf8');
        let body = '';
        const streaming = onData !== undefined && incoming.statusCode === 200;
        incoming.on('data', (chunk: string) => {
          if (streaming) onData(chunk);
          else body += chunk;
        });
        incoming.on('error', reject);
        incoming.on('end', () => {
          timers.clear();
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body });
        });
      });
      outgoing.end(request.body);
    });
  }

  private get hostname(): string {
    return this.url.hostname.replace(/^\[|\]$/g, '');
  }

  /**
   * The HTTP/2 session, made on first use: one TLS connection offering h2 and http/1.1 by
   * ALPN. Undefined when the server chose HTTP/1.1 (then every request goes that way).
   */
  private async connectHttp2(request: TransportRequest): Promise<ClientHttp2Session | undefined> {
    if (!this.session) {
      const connecting = this.openSession(request.deadline, request.deadlineLabel, request.signal);
      this.session = connecting;
      connecting.catch(() => {
        if (this.session === connecting) this.session = undefined; // the next attempt connects again
      });
    }
    const session = await this.session;
    return this.protocol === 'h2' ? session : undefined;
  }

  private async openSession(deadline: number | undefined, label = 'the deadline', signal?: AbortSignal): Promise<ClientHttp2Session> {
    const started = Date.now();
    const host = this.hostname;
    const port = Number(this.url.port || 443);
    const limit = deadline === undefined ? CONNECT_TIMEOUT_MS : Math.min(CONNECT_TIMEOUT_MS, Math.max(0, deadline - Date.now()));
    const message = deadline !== undefined && limit < CONNECT_TIMEOUT_MS ? label : `${formatMs(CONNECT_TIMEOUT_MS)} (no connection)`;
    const tunnel = this.dial ? await this.dialWithin(host, port, limit, message) : undefined;
    return new Promise<ClientHttp2Session>((resolve, reject) => {
      const socket = tls.connect({
        // host also names the server to check the certificate against inside a tunnel.
        ...(tunnel ? { socket: tunnel, host } : { host, port }),
        servername: this.tls.servername ?? (isIP(host) ? undefined : host),
        ca: this.tls.ca,
        cert: this.tls.cert,
        key: this.tls.key,
        rejectUnauthorized: this.tls.rejectUnauthorized ?? true,
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error(message), { code: TIMEOUT_CODE })), limit);
      // Ctrl-C or a fleet run's per-cluster limit: stop connecting now, not at the timer.
      const onAbort = () => socket.destroy(Object.assign(new Error('the connection attempt was aborted'), { code: ABORT_CODE }));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (socket.alpnProtocol !== 'h2') {
          // The server does not speak HTTP/2 (a proxy, say): HTTP/1.1 with keep-alive.
          this.protocol = 'http/1.1';
          this.log(7, () => `${this.server} chose ${socket.alpnProtocol || 'no protocol'} by ALPN: HTTP/1.1`);
          socket.end();
          resolve(undefined as never);
          return;
        }
        socket.removeAllListeners('error');
        this.protocol = 'h2';
        this.sessionFailure = undefined;
        // A TLS alert after the handshake (TLS 1.3: the server rejected our client
        // certificate) says more than the streams' "closed": they report it instead.
        socket.on('error', (error) => {
          if (isTlsAlert(error)) this.sessionFailure = error;
        });
        const session = http2.connect(this.server, {
          createConnection: () => socket,
          settings: { initialWindowSize: STREAM_WINDOW, enablePush: false },
        });
        session.setLocalWindowSize(SESSION_WINDOW);
        checkSessionHealth(session, socket, this.log, this.health);
        this.log(7, () => `${this.server}: HTTP/2 session in ${Date.now() - started} ms`);
        const forget = () => {
          if (this.session && this.current === session) this.session = undefined;
        };
        this.current = session;
        session.on('error', (error: Error) => {
          this.log(6, () => `${this.server}: HTTP/2 session error: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
          forget();
        });
        session.on('goaway', forget);
        session.on('close', forget);
        session.unref(); // referenced only while a request is in flight
        resolve(session);
      });
    });
  }

  private current: ClientHttp2Session | undefined;
  private sessionFailure: Error | undefined;

  /** The proxy tunnel, abandoned at the connection time limit like a direct connection. */
  private async dialWithin(host: string, port: number, limit: number, message: string) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(Object.assign(new Error(message), { code: TIMEOUT_CODE })), limit);
    const timeout = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error)));
    try {
      return await Promise.race([this.dial!(host, port, controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private requestHttp2(session: ClientHttp2Session, request: TransportRequest, headers: Headers, onData?: (chunk: string) => void): Promise<TransportResponse> {
    return new Promise<TransportResponse>((resolve, reject) => {
      const outgoing: http2.OutgoingHttpHeaders = { ':method': request.method, ':path': `${this.basePath}${request.path}` };
      for (const [name, value] of Object.entries(headers)) outgoing[name.toLowerCase()] = value;
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(outgoing, { endStream: request.body === undefined, signal: request.signal });
      } catch (error) {
        // The session was closing or destroyed: nothing was sent.
        if (this.current === session) this.session = undefined;
        reject(Object.assign(new Error((error as Error).message), { code: 'ECONNRESET', reusedSocket: true }));
        return;
      }
      this.active.set(session, (this.active.get(session) ?? 0) + 1);
      session.ref();
      let settled = false;
      let failure: Error | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        const left = this.active.get(session)! - 1;
        this.active.set(session, left);
        if (left === 0) session.unref();
        outcome();
      };
      if (request.deadline !== undefined) {
        timer = setTimeout(() => {
          failure = Object.assign(new Error(request.deadlineLabel ?? 'the deadline'), { code: TIMEOUT_CODE });
          stream.close(http2.constants.NGHTTP2_CANCEL);
          finish(() => reject(failure));
        }, Math.max(0, request.deadline - Date.now()));
      }
      let status = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      let body = '';
      stream.on('response', (received) => {
        status = Number(received[':status'] ?? 0);
        const { ':status': _status, ...rest } = received;
        responseHeaders = rest as IncomingHttpHeaders;
      });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        if (onData !== undefined && status === 200) onData(chunk);
        else body += chunk;
      });
      let ended = false;
      stream.on('end', () => (ended = true));
      stream.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(this.sessionFailure ?? streamError(error, stream))));
      stream.on('close', () => {
        // A complete answer ends with NO_ERROR; else the session went away under it (a
        // destroyed session ends its streams without an error, the body cut short).
        if (ended && status !== 0 && stream.rstCode === http2.constants.NGHTTP2_NO_ERROR) {
          finish(() => resolve({ status, headers: responseHeaders, body }));
        } else {
          finish(() => reject(failure ?? this.sessionFailure ?? streamError(Object.assign(new Error('the HTTP/2 stream was closed before the answer was complete'), { code: 'ERR_HTTP2_STREAM_CLOSED' }), stream)));
        }
      });
      if (request.body !== undefined) stream.end(request.body);
    });
  }
}

// Windows of the HTTP/2 flow control: large lists (a thousand nodes) arrive without
// waiting for window updates; every stream reads its data at once, so none holds the
// session's window and a watch never blocks the other requests.
const STREAM_WINDOW = 16 * 1024 * 1024;
const SESSION_WINDOW = 64 * 1024 * 1024;

/**
 * A failed HTTP/2 stream as a Node network error the retry logic knows: a stream the
 * server refused (REFUSED_STREAM, or beyond a GOAWAY's last stream) never reached it, so
 * it may be sent again like a request on a stale kept-alive socket; any other session
 * failure is a reset connection.
 */
function streamError(error: NodeJS.ErrnoException, stream: http2.ClientHttp2Stream): Error {
  if (error.name === 'AbortError' || error.code === 'ABORT_ERR') return error;
  if (error.code === TIMEOUT_CODE) return error;
  if (error.code && !error.code.startsWith('ERR_HTTP2')) return error; // ECONNRESET, EPIPE, TLS...
  const refused = stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM || error.code === 'ERR_HTTP2_GOAWAY_SESSION';
  return Object.assign(new Error(`${error.message} (${error.code})`), { code: 'ECONNRESET', reusedSocket: refused, cause: error });
}

const isTlsAlert = (error: Error): boolean => /^ERR_SSL_/.test((error as NodeJS.ErrnoException).code ?? '');

/** Destroys the request at its deadline, or when the connection is not up after 30s. */
function limitTime(outgoing: http.ClientRequest, deadline: number | undefined, label = 'the deadline'): { clear(): void } {
  const timers: NodeJS.Timeout[] = [];
  const fail = (message: string) => outgoing.destroy(Object.assign(new Error(message), { code: TIMEOUT_CODE }));
  if (deadline !== undefined) {
    const remaining = Math.max(0, deadline - Date.now());
    timers.push(setTimeout(() => fail(label), remaining));
  }
  outgoing.on('socket', (socket) => {
    if (!socket.connecting) return;
    const connectTimer = setTimeout(() => fail(`${formatMs(CONNECT_TIMEOUT_MS)} (no connection)`), CONNECT_TIMEOUT_MS);
    timers.push(connectTimer);
    socket.once('connect', () => clearTimeout(connectTimer));
  });
  return { clear: () => timers.forEach(clearTimeout) };
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
