// HTTP/1.1 to the API server with keep-alive, for servers that do not speak HTTP/2 (or
// when it is turned off). Connections are made by connection.ts (its limits, the proxy
// tunnel, the run's signal). With no PING to ask a connection whether it lives, an answer
// that sends no byte for SILENCE_MS counts as a silent server (watches excepted: they
// are quiet between events).
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { openConnection, type ConnectLimits, type Endpoint } from './connection.ts';
import { formatMs, noAnswerError, timeoutError, unsentError } from './transport-errors.ts';
import type { Headers, TransportRequest, TransportResponse } from './transport-types.ts';

/** No byte of an answer for this long: the server is silent (the API server answers or fails a request within 60s itself). */
export const SILENCE_MS = 20_000;

export interface Http1Options {
  signal: AbortSignal | undefined;
  limits?: ConnectLimits | undefined;
  silenceMs?: number | undefined;
}

export class Http1Transport {
  private readonly agent: http.Agent;
  private readonly endpoint: Endpoint;
  private readonly secure: boolean;
  private readonly silenceMs: number;

  constructor(endpoint: Endpoint, options: Http1Options) {
    this.endpoint = endpoint;
    this.secure = endpoint.tls !== undefined;
    this.silenceMs = options.silenceMs ?? SILENCE_MS;
    this.agent = new (this.secure ? https.Agent : http.Agent)({ keepAlive: true });
    // Every new connection is ours: within our limits, through the proxy, ended by the signal.
    type Callback = (error: Error | null, socket?: Socket) => void;
    (this.agent as unknown as { createConnection: (options: unknown, callback: Callback) => undefined }).createConnection = (_options, callback) => {
      openConnection(endpoint, ['http/1.1'], options.signal, options.limits).then(
        (socket) => callback(null, socket),
        (error: Error) => callback(error),
      );
      return undefined;
    };
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request; `path` already holds the server's base path. */
  request(request: TransportRequest, path: string, headers: Headers, onData?: (chunk: string) => void): Promise<TransportResponse> {
    const { host, port } = this.endpoint;
    return new Promise<TransportResponse>((resolve, reject) => {
      const outgoing = (this.secure ? https : http).request({ host, port, path, method: request.method, headers, agent: this.agent, signal: request.signal });
      const timers: NodeJS.Timeout[] = [];
      const clear = () => timers.forEach(clearTimeout);
      const fail = (error: Error) => outgoing.destroy(error);
      if (request.deadline !== undefined) timers.push(setTimeout(() => fail(timeoutError(request.deadlineLabel ?? 'the deadline')), Math.max(0, request.deadline - Date.now())));
      if (onData === undefined) {
        // Silence counts from the moment the connection is ours (connecting has its own limits).
        outgoing.setTimeout(this.silenceMs, () => fail(noAnswerError(`sent no byte of an answer within ${formatMs(this.silenceMs)} (HTTP/1.1)`, false)));
      }
      outgoing.on('error', (error) => {
        clear();
        // A kept-alive connection the server closed while idle fails the next request at
        // once; the request never reached the server (Node's documented retry case).
        reject(outgoing.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? unsentError(error.message, error) : error);
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
          clear();
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body });
        });
      });
      outgoing.end(request.body);
    });
  }
}
