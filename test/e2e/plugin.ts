// Test helpers for the plugin against the simulator: run it, read objects, count its
// writes in the audit log, and watch the DNS endpoints while it works.
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as sim from '../sim/sim.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const node = path.join(repo, 'node_modules/.bin/node');
export const PLUGIN_AGENT = 'kubectl-kapsule_ha/';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the plugin's source entry against the simulator's admin context (or another). */
export function plugin(args: string[], options: { env?: Record<string, string>; context?: string } = {}): Promise<RunResult> {
  const info = sim.info();
  const env = { ...process.env, KUBECONFIG: info.kubeconfig, NO_COLOR: '1', ...options.env };
  const contextArgs = options.context ? ['--context', options.context] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(node, [path.join(repo, 'src/main.ts'), ...args, ...contextArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** kubectl get … -o json, parsed; undefined when the object does not exist. */
export async function getJson(args: string[]): Promise<any> {
  const result = await sim.kubectl(['get', ...args, '-o', 'json', '--ignore-not-found']);
  if (result.code !== 0) throw new Error(`kubectl get ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim() ? JSON.parse(result.stdout) : undefined;
}

export const kubeSystem = (...args: string[]) => getJson([...args, '-n', 'kube-system']);

/** The plugin's requests since an audit offset, split into reads and writes. */
export function pluginRequests(sinceOffset: number): { reads: number; writes: number; all: sim.AuditEvent[] } {
  const { events } = sim.readAudit(sinceOffset);
  const ours = events.filter((event) => event.userAgent?.startsWith(PLUGIN_AGENT));
  const isWrite = (event: sim.AuditEvent) =>
    ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(event.verb) &&
    event.objectRef?.resource !== 'selfsubjectaccessreviews';
  return { reads: ours.filter((event) => !isWrite(event)).length, writes: ours.filter(isWrite).length, all: ours };
}

export const auditOffset = (): number => sim.readAudit().offset;

export interface EndpointWatch {
  /** Stops watching; the fewest ready kube-dns endpoints seen at any moment, and how many changes. */
  stop(): Promise<{ minReady: number; events: number }>;
}

/**
 * Watches the EndpointSlices of a Service with the admin's token, independently of the plugin,
 * and tracks the number of ready endpoints after every change.
 */
export async function watchEndpoints(service = 'kube-dns', namespace = 'kube-system'): Promise<EndpointWatch> {
  const info = sim.info();
  const readyBySlice = new Map<string, number>();
  let minReady = Number.POSITIVE_INFINITY;
  let events = 0;
  const total = () => [...readyBySlice.values()].reduce((sum, count) => sum + count, 0);
  const readyOf = (slice: any) => (slice.endpoints ?? []).filter((endpoint: any) => endpoint.conditions?.ready === true).length;
  const selector = encodeURIComponent(`kubernetes.io/service-name=${service}`);
  const base = `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${selector}`;
  const { server, adminToken } = info;
  const url = new URL(server);
  const ca = readFileSync(info.caFile);
  const get = (pathAndQuery: string, onData?: (chunk: string) => void) =>
    new Promise<{ body: string; abort: () => void }>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: pathAndQuery, ca, headers: { Authorization: `Bearer ${adminToken}` } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (onData ? onData(chunk) : (body += chunk)));
          res.on('end', () => resolve({ body, abort: () => req.destroy() }));
          if (onData) resolve({ body: '', abort: () => req.destroy() });
        },
      );
      req.on('error', (error) => (onData ? undefined : reject(error)));
      req.end();
    });
  const list = JSON.parse((await get(base)).body);
  for (const slice of list.items) readyBySlice.set(slice.metadata.name, readyOf(slice));
  minReady = total();
  let buffer = '';
  const watch = await get(`${base}&watch=1&resourceVersion=${list.metadata.resourceVersion}`, (chunk) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.trim()) continue;
      const event = JSON.parse(line);
      if (event.type === 'DELETED') readyBySlice.delete(event.object.metadata.name);
      else if (event.type === 'ADDED' || event.type === 'MODIFIED') readyBySlice.set(event.object.metadata.name, readyOf(event.object));
      events++;
      minReady = Math.min(minReady, total());
    }
  });
  return {
    async stop() {
      // Let the last changes arrive before closing.
      await new Promise((resolve) => setTimeout(resolve, 500));
      watch.abort();
      return { minReady, events };
    },
  };
}

export { sim };
