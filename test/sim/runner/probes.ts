// The kubelet's probes, for the handlers these pods use: httpGet (to the pod's own
// address, from the cluster namespace as from a node) and tcpSocket. A probe without handler the runner knows fails loudly.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';

export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string };
  exec?: unknown;
  grpc?: unknown;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

/** The probe's timings with the API's defaults. */
export function timings(probe: ProbeSpec) {
  return {
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: (probe.periodSeconds ?? 10) * 1000,
    timeoutMs: (probe.timeoutSeconds ?? 1) * 1000,
    successThreshold: probe.successThreshold ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}

/** One probe from the node (`connect` opens a TCP connection there): true on success (HTTP 200-399, or a TCP connection). */
export async function probeOnce(probe: ProbeSpec, address: string, container: any, connect: (host: string, port: number) => Promise<net.Socket>): Promise<boolean> {
  const timeoutMs = timings(probe).timeoutMs;
  const handler = probe.httpGet ?? probe.tcpSocket;
  if (!handler) throw new Error('only httpGet and tcpSocket probes run in the simulator');
  const port = portNumber(handler.port, container);
  const deadline = AbortSignal.timeout(timeoutMs);
  let socket: net.Socket;
  try {
    socket = await Promise.race([connect(address, port), new Promise<never>((_, reject) => deadline.addEventListener('abort', () => reject(new Error('timeout'))))]);
  } catch {
    return false;
  }
  if (!probe.httpGet) {
    socket.destroy();
    return true;
  }
  const get = probe.httpGet;
  const client = get.scheme === 'HTTPS' ? https : http;
  const headers = Object.fromEntries((get.httpHeaders ?? []).map((h) => [h.name, h.value]));
  return new Promise((resolve) => {
    const options = {
      host: address,
      port,
      path: get.path ?? '/',
      headers: { 'User-Agent': 'kube-probe/1.35', ...headers },
      timeout: timeoutMs,
      rejectUnauthorized: false,
      // The connection made above (a TLS one on top of it for HTTPS).
      createConnection: () => (get.scheme === 'HTTPS' ? tls.connect({ socket, rejectUnauthorized: false }) : socket),
    };
    const request = client.get(options as https.RequestOptions, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
    request.on('close', () => socket.destroy());
  });
}

/** A port number, or a named containerPort. */
function portNumber(port: number | string, container: any): number {
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((p: any) => p.name === port);
  if (!named) throw new Error(`probe port ${port} names no container port`);
  return named.containerPort;
}
