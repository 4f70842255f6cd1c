// HTTP(S) to one API server: keep-alive agent, TLS material and credentials from the
// kubeconfig, a time limit per request. Knows nothing of Kubernetes semantics.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface TlsMaterial {
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  rejectUnauthorized?: boolean | undefined;
  servername?: string | undefined;
}

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. /api/v1/namespaces/kube-system/pods?limit=500 */
  path: string;
  headers?: Record<string, string>;
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

export class Transport {
  readonly server: string;
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly baseHeaders: () => Promise<Record<string, string>>;

  constructor(server: string, tls: TlsMaterial, headers: () => Promise<Record<string, string>>) {
    this.server = server.replace(/\/+$/, '');
    this.url = new URL(this.server);
    this.agent = this.url.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true });
    this.baseHeaders = headers;
  }

  async request(request: TransportRequest, onData?: (chunk: string) => void): Promise<TransportResponse> {
    const headers: Record<string, string> = { ...(await this.baseHeaders()), ...request.headers };
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
    const module = this.url.protocol === 'https:' ? https : http;
    const basePath = this.url.pathname === '/' ? '' : this.url.pathname.replace(/\/+$/, '');
    return new Promise<TransportResponse>((resolve, reject) => {
      const outgoing = module.request({
        protocol: this.url.protocol,
        hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
        port: this.url.port || undefined,
        path: `${basePath}${request.path}`,
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
        incoming.on('data', (chunk: string) => (streaming ? onData(chunk) : (body += chunk)));
        incoming.on('error', reject);
        incoming.on('end', () => {
          timers.clear();
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body });
        });
      });
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

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
