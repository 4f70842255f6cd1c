// A fault-injecting TLS proxy in front of the simulator's API server (test code only):
// seeded and reproducible, it answers a share of requests (or the N-th ones) with a 5xx,
// a 429 with Retry-After, a connection reset (before or after the request reached the
// server) or a delay. The API server still decides everything it is asked.
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '503' | '500-after' | '429' | 'reset-before' | 'reset-after' | 'delay';
export const ALL_FAULTS: readonly Fault[] = ['503', '500-after', '429', 'reset-before', 'reset-after', 'delay'];

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
}

/** Called for every request, before any fault: the test's chance to act at the N-th one. */
export interface ProxyHooks {
  /**
   * Before the request is forwarded (awaited): e.g. another client writes first, or the
   * plugin is killed. 'drop' closes the connection instead of forwarding; a Fault injects
   * that fault on this request (whatever the plan says).
   */
  before?: (index: number, method: string, path: string) => void | 'drop' | Fault | Promise<void | 'drop' | Fault>;
  /** The server has answered, the client has not seen the answer yet (e.g. kill it now). */
  after?: (index: number, method: string, path: string, status: number) => void;
}

export interface FaultProxy {
  url: string;
  requests: number;
  injected: Record<Fault, number>;
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

export async function startFaultProxy(
  tls: { cert: Buffer; key: Buffer; ca: Buffer },
  upstream: URL,
  plan: FaultPlan,
  hooks: ProxyHooks = {},
): Promise<FaultProxy> {
  const next = random(plan.seed);
  const faults = plan.faults ?? ALL_FAULTS;
  const injected = Object.fromEntries(ALL_FAULTS.map((fault) => [fault, 0])) as Record<Fault, number>;
  let requests = 0;

  const forward = (index: number, req: IncomingMessage, res: ServerResponse, body: Buffer, after?: (res: ServerResponse) => void) => {
    const upstreamRequest = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, ca: tls.ca },
      (upstreamResponse) => {
        if (after) {
          upstreamResponse.resume();
          upstreamResponse.on('end', () => after(res));
          return;
        }
        hooks.after?.(index, req.method ?? '', req.url ?? '', upstreamResponse.statusCode ?? 0);
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', () => res.destroy());
    res.on('close', () => upstreamRequest.destroy());
    upstreamRequest.end(body);
  };

  const chooseFault = (index: number, isWatch: boolean): Fault | undefined => {
    const roll = next();
    const pick = faults[Math.floor(next() * faults.length)]!;
    if (isWatch && plan.spareWatches !== false) return undefined;
    if (plan.nth?.includes(index)) return pick;
    return roll < (plan.share ?? 0) ? pick : undefined;
  };

  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const index = ++requests;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const decision = await hooks.before?.(index, req.method ?? '', req.url ?? '');
      if (decision === 'drop') return req.socket.destroy();
      const planned = chooseFault(index, /[?&]watch=(1|true)/.test(req.url ?? ''));
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
          return req.socket.destroy();
        case '500-after':
          return forward(index, req, res, body, (response) => {
            response.writeHead(500, { 'Content-Type': 'application/json' });
            response.end(status(500, 'InternalError'));
          });
        case 'reset-after':
          return forward(index, req, res, body, (response) => response.socket?.destroy());
        case 'delay':
          return void setTimeout(() => forward(index, req, res, body), plan.delayMs ?? 300);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: FaultProxy = {
    url: `https://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    injected,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
