// A fault-injecting proxy in front of the simulator's API server (test code only). It speaks
// as the API server does: TLS offering h2 and http/1.1 by ALPN, and HTTP/2 to the server
// behind it (watches stream through). Seeded and reproducible, it answers a share of
// requests (or the N-th ones) with a 5xx, a 429 with Retry-After, a connection reset (before
// or after the request reached the server), a delay, a GOAWAY, a refused stream, or by going
// silent. The API server still decides everything it is asked.
import http2, { type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { startTcpRelay, type RelayedConnection } from './tcp-relay.ts';
import { endToEndHeaders, upstreamSession } from './upstream-h2.ts';

export type Fault = '503' | '500-after' | '429' | 'reset-before' | 'reset-after' | 'delay' | 'goaway' | 'refused' | 'silent';
/** Every fault, as counted in `injected`. */
export const FAULTS: readonly Fault[] = ['503', '500-after', '429', 'reset-before', 'reset-after', 'delay', 'goaway', 'refused', 'silent'];
/**
 * The faults picked at random unless the plan says otherwise: all but 'silent' (a frozen
 * session costs the client its health check, some 25 s).
 */
export const ALL_FAULTS: readonly Fault[] = FAULTS.filter((fault) => fault !== 'silent');

export interface FaultPlan {
  seed: number;
  /** Share of requests faulted at random, 0..1. */
  share?: number;
  /** 1-based request numbers to fault, whatever `share` says. */
  nth?: number[];
  faults?: readonly Fault[];
  delayMs?: number;
  /** Watches stream for long; faulting them only makes the test slow. */
  spareWatches?: boolean;
  /** From the N-th request on, the proxy answers nothing on any connection, old or new. */
  silentFrom?: number;
}

/** Called for every request, before any fault: the test's chance to act at the N-th one. */
export interface ProxyHooks {
  /**
   * Before the request is forwarded (awaited): e.g. another client writes first, or the
   * plugin is killed. 'drop' closes the connection instead of forwarding; a Fault injects
   * that fault on this request (whatever the plan says).
   */
  before?: (index: number, method: string, path: string) => undefined | 'drop' | Fault | Promise<undefined | 'drop' | Fault>;
  /** The server has answered, the client has not seen the answer yet (e.g. kill it now). */
  after?: (index: number, method: string, path: string, status: number) => void;
}

export interface FaultProxy {
  url: string;
  requests: number;
  injected: Record<Fault, number>;
  /** TLS connections by the protocol chosen by ALPN ('h2', 'http/1.1'). */
  alpn: Record<string, number>;
  stop(): Promise<void>;
}

/** mulberry32: small, fast and the same sequence for the same seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const status = (code: number, reason: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: `injected ${code} by the fault proxy` });

const { NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;

/** Per HTTP/2 session: the highest stream forwarded, and the last one a GOAWAY let through. */
interface SessionState {
  forwardedMax: number;
  goawayLast?: number;
}

export async function startFaultProxy(
  tls: { cert: Buffer; key: Buffer; ca: Buffer },
  upstream: URL,
  plan: FaultPlan,
  hooks: ProxyHooks = {},
): Promise<FaultProxy> {
  const next = random(plan.seed);
  const faults = plan.faults ?? ALL_FAULTS;
  const injected = Object.fromEntries(FAULTS.map((fault) => [fault, 0])) as Record<Fault, number>;
  const alpn: Record<string, number> = {};
  const sessions = new WeakMap<Http2Session, SessionState>();
  const api = upstreamSession(upstream, tls.ca);
  let requests = 0;

  const stateOf = (req: Http2ServerRequest) => {
    const session = req.stream?.session;
    if (!session) return undefined; // HTTP/1.1
    if (!sessions.has(session)) sessions.set(session, { forwardedMax: 0 });
    return sessions.get(session)!;
  };
  // req.socket is the TLS socket (HTTP/1.1) or a view of the session's; its peer is our relay.
  const connectionOf = (req: Http2ServerRequest): RelayedConnection | undefined => relay.connectionFrom(req.socket.remotePort);
  const refuse = (req: Http2ServerRequest) => (req.stream ? req.stream.close(NGHTTP2_REFUSED_STREAM) : connectionOf(req)?.reset());

  const forward = (index: number, req: Http2ServerRequest, res: Http2ServerResponse, body: Buffer, after?: (res: Http2ServerResponse) => void) => {
    const session = stateOf(req);
    if (session) session.forwardedMax = Math.max(session.forwardedMax, req.stream.id ?? 0);
    const upstreamStream = api.request(req.method, req.url, req.headers, body);
    upstreamStream.on('response', (headers) => {
      const code = Number(headers[':status'] ?? 502);
      if (after) {
        upstreamStream.resume();
        upstreamStream.on('end', () => after(res));
        return;
      }
      hooks.after?.(index, req.method, req.url, code);
      res.writeHead(code, endToEndHeaders(headers));
      upstreamStream.pipe(res);
    });
    upstreamStream.on('error', () => res.destroy());
    res.on('close', () => upstreamStream.destroyed || upstreamStream.close());
  };

  const chooseFault = (index: number, isWatch: boolean): Fault | undefined => {
    const roll = next();
    const pick = faults[Math.floor(next() * faults.length)]!;
    if (isWatch && plan.spareWatches !== false) return undefined;
    if (plan.nth?.includes(index)) return pick;
    return roll < (plan.share ?? 0) ? pick : undefined;
  };

  /** GOAWAY naming the last stream forwarded: this one and later ones are refused (unless already past). */
  const goaway = (index: number, req: Http2ServerRequest, res: Http2ServerResponse, body: Buffer) => {
    const session = stateOf(req);
    if (!session) return connectionOf(req)?.reset();
    session.goawayLast ??= session.forwardedMax;
    req.stream.session?.goaway(NGHTTP2_NO_ERROR, session.goawayLast);
    return req.stream.id! <= session.goawayLast ? forward(index, req, res, body) : refuse(req);
  };

  const handle = async (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const index = ++requests;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    // After a GOAWAY the client counts later streams as refused: never forward them.
    const session = stateOf(req);
    if (session?.goawayLast !== undefined && req.stream.id! > session.goawayLast) return refuse(req);
    const decision = await hooks.before?.(index, req.method, req.url);
    if (decision === 'drop') return connectionOf(req)?.reset();
    const planned = plan.silentFrom !== undefined && index >= plan.silentFrom ? 'silent' : chooseFault(index, /[?&]watch=(1|true)/.test(req.url));
    const fault = decision ?? planned;
    if (fault) injected[fault]++;
    switch (fault) {
      case undefined:
        return forward(index, req, res, body);
      case '503':
        res.writeHead(503, { 'Content-Type': 'application/json' });
        return res.end(status(503, 'ServiceUnavailable'));
      case '429':
        res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
        return res.end(status(429, 'TooManyRequests'));
      case 'reset-before':
        return connectionOf(req)?.reset();
      case '500-after':
        return forward(index, req, res, body, (response) => {
          response.writeHead(500, { 'Content-Type': 'application/json' });
          response.end(status(500, 'InternalError'));
        });
      case 'reset-after':
        return forward(index, req, res, body, () => connectionOf(req)?.reset());
      case 'delay':
        return void setTimeout(() => forward(index, req, res, body), plan.delayMs ?? 300);
      case 'goaway':
        return goaway(index, req, res, body);
      case 'refused':
        return refuse(req);
      case 'silent':
        return plan.silentFrom !== undefined ? relay.silence() : connectionOf(req)?.freeze();
    }
  };

  const server = http2.createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true }, (req, res) => void handle(req, res).catch(() => res.destroy()));
  const connections = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    const protocol = socket.alpnProtocol || 'http/1.1'; // no ALPN: HTTP/1.1
    alpn[protocol] = (alpn[protocol] ?? 0) + 1;
  });
  server.on('sessionError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Clients connect through a TCP relay, which can reset or freeze their connection.
  const relay = await startTcpRelay((server.address() as AddressInfo).port);
  return {
    url: `https://127.0.0.1:${relay.port}`,
    get requests() {
      return requests;
    },
    injected,
    alpn,
    stop: async () => {
      await relay.stop();
      api.close();
      for (const socket of connections) socket.destroy(); // server.close() waits for every session
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
