// The kubelet's probes, for the handlers these pods use: httpGet (to the pod's own
// address) and tcpSocket. A probe without handler the runner knows fails loudly.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

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

/** One probe: true on success (HTTP 200-399, or a TCP connection). */
export function probeOnce(probe: ProbeSpec, address: string, container: any): Promise<boolean> {
  const timeoutMs = timings(probe).timeoutMs;
  if (probe.httpGet) {
    const get = probe.httpGet;
    const client = get.scheme === 'HTTPS' ? https : http;
    const headers = Object.fromEntries((get.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return new Promise((resolve) => {
      const request = client.get({ host: address, port: portNumber(get.port, container), path: get.path ?? '/', headers: { 'User-Agent': 'kube-probe/1.35', ...headers }, timeout: timeoutMs, rejectUnauthorized: false }, (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 400);
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
  }
  if (probe.tcpSocket) {
    const port = portNumber(probe.tcpSocket.port, container);
    return new Promise((resolve) => {
      const socket = net.connect({ host: address, port, timeout: timeoutMs }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('timeout', () => socket.destroy());
      socket.on('error', () => resolve(false));
      socket.on('close', () => resolve(false));
    });
  }
  throw new Error('only httpGet and tcpSocket probes run in the simulator');
}

/** A port number, or a named containerPort. */
function portNumber(port: number | string, container: any): number {
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((p: any) => p.name === port);
  if (!named) throw new Error(`probe port ${port} names no container port`);
  return named.containerPort;
}
