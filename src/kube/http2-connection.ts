// One HTTP/2 session to the API server and everything it owns: its connection (TLS
// offering h2 and http/1.1 by ALPN), the server's preface awaited within a limit, its
// health (session-health.ts), the failure it reports to its streams, and its streams in
// flight (it keeps the process alive only while it has some). Once closed, failed or sent
// a GOAWAY it takes no new request: the transport opens the next session.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { openConnection, type ConnectLimits, type Endpoint } from './connection.ts';
import { checkSessionHealth, type HealthTimes } from './session-health.ts';
import { formatMs, isTlsAlert, noAnswerError, streamError, timeoutError, unsentError, type TransportError } from './transport-errors.ts';
import type { Headers, TransportRequest, TransportResponse } from './transport-types.ts';
import type { Logger } from './types.ts';

export interface Http2Options {
  log: Logger;
  /** The run's signal (Ctrl-C, a fleet run's limit): ends the connection attempt. */
  signal: AbortSignal | undefined;
  health?: HealthTimes | undefined;
  limits?: (ConnectLimits & { prefaceMs: number }) | undefined;
}

/** The server's SETTINGS frame, its first word in HTTP/2, once TLS agreed on h2. */
export const PREFACE_MS = 10_000;

// Windows of the HTTP/2 flow control: large lists (a thousand nodes) arrive without
// waiting for window updates; every stream reads its data at once, so none holds the
// session's window and a watch never blocks the other requests.
const STREAM_WINDOW = 16 * 1024 * 1024;
const SESSION_WINDOW = 64 * 1024 * 1024;

export class Http2Connection {
  /** 'h2', or 'http/1.1' when the server chose it by ALPN (this connection is then closed). */
  readonly ready: Promise<'h2' | 'http/1.1'>;
  private readonly origin: string;
  private readonly options: Http2Options;
  private session: ClientHttp2Session | undefined;
  private closed = false;
  /** A TLS alert after the handshake (TLS 1.3: our client certificate refused) says more than the streams' "closed". */
  private failure: Error | undefined;
  private streams = 0;

  constructor(origin: string, endpoint: Endpoint, options: Http2Options) {
    this.origin = origin;
    this.options = options;
    this.ready = this.open(endpoint);
    this.ready.catch(() => {
      this.closed = true;
    });
  }

  /** Whether a new request may go on it (connecting or open, not closing). */
  get usable(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
    this.session?.close();
  }

  private async open(endpoint: Endpoint): Promise<'h2' | 'http/1.1'> {
    const started = Date.now();
    const { log } = this.options;
    const socket = (await openConnection(endpoint, ['h2', 'http/1.1'], this.options.signal, this.options.limits)) as TLSSocket;
    if (socket.alpnProtocol !== 'h2') {
      // The server does not speak HTTP/2 (a proxy, say): HTTP/1.1 with keep-alive.
      log(7, () => `${this.origin} chose ${socket.alpnProtocol || 'no protocol'} by ALPN: HTTP/1.1`);
      this.closed = true;
      socket.on('error', () => {}); // a TLS alert may still come (a client certificate refused): HTTP/1.1 will meet it
      socket.end();
      return 'http/1.1';
    }
    socket.on('error', (error) => {
      if (isTlsAlert(error)) this.failure = error;
    });
    const session = http2.connect(this.origin, { createConnection: () => socket, settings: { initialWindowSize: STREAM_WINDOW, enablePush: false } });
    this.session = session;
    session.setLocalWindowSize(SESSION_WINDOW);
    this.awaitPreface(session);
    checkSessionHealth(session, socket, log, this.options.health);
    log(7, () => `${this.origin}: HTTP/2 session in ${Date.now() - started} ms`);
    const retire = () => {
      this.closed = true;
    };
    session.on('error', (error: Error) => {
      log(6, () => `${this.origin}: HTTP/2 session error: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
      retire();
    });
    session.on('goaway', retire);
    session.on('close', retire);
    session.unref(); // referenced only while a request is in flight
    return 'h2';
  }

  /** A server that agreed on h2 but never sends its SETTINGS is dead: its requests fail as silent. */
  private awaitPreface(session: ClientHttp2Session): void {
    const limit = this.options.limits?.prefaceMs ?? PREFACE_MS;
    const timer = setTimeout(() => session.destroy(noAnswerError(`accepted TLS but sent no HTTP/2 SETTINGS frame within ${formatMs(limit)}`, false)), limit);
    timer.unref();
    session.once('remoteSettings', () => clearTimeout(timer));
    session.once('close', () => clearTimeout(timer));
  }

  /** One request on this session; `path` already holds the server's base path. */
  request(request: TransportRequest, path: string, headers: Headers, onData?: (chunk: string) => void): Promise<TransportResponse> {
    const session = this.session!;
    return new Promise<TransportResponse>((resolve, reject) => {
      const outgoing: http2.OutgoingHttpHeaders = { ':method': request.method, ':path': path };
      for (const [name, value] of Object.entries(headers)) outgoing[name.toLowerCase()] = value;
      let stream: ClientHttp2Stream;
      try {
        stream = session.request(outgoing, { endStream: request.body === undefined, signal: request.signal });
      } catch (error) {
        // The session was closing or destroyed: nothing was sent.
        this.closed = true;
        reject(unsentError((error as Error).message, error));
        return;
      }
      this.track(+1);
      let settled = false;
      let failure: TransportError | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.track(-1);
        outcome();
      };
      if (request.deadline !== undefined) {
        timer = setTimeout(() => {
          failure = timeoutError(request.deadlineLabel ?? 'the deadline');
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
      stream.on('end', () => {
        ended = true;
      });
      stream.on('error', (error: NodeJS.ErrnoException) => finish(() => reject(this.failure ?? streamError(error, stream))));
      stream.on('close', () => {
        // A complete answer ends with NO_ERROR; else the session went away under it (a
        // destroyed session ends its streams without an error, the body cut short).
        if (ended && status !== 0 && stream.rstCode === http2.constants.NGHTTP2_NO_ERROR) {
          finish(() => resolve({ status, headers: responseHeaders, body }));
        } else {
          const closed = Object.assign(new Error('the HTTP/2 stream was closed before the answer was complete'), { code: 'ERR_HTTP2_STREAM_CLOSED' });
          finish(() => reject(failure ?? this.failure ?? streamError(closed, stream)));
        }
      });
      if (request.body !== undefined) stream.end(request.body);
    });
  }

  private track(change: 1 | -1): void {
    this.streams += change;
    if (change > 0) this.session!.ref();
    else if (this.streams === 0) this.session!.unref();
  }
}
