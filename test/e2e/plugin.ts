// Test helpers for the plugin against the simulator: run it (the built executable, see
// executable.ts), read objects, count its requests in the audit log, and watch the DNS
// endpoints while it works (endpoint-watch.ts).
import { spawn } from 'node:child_process';
import * as sim from '../sim/sim.ts';
import { expectedUserAgent, pluginCommand } from './executable.ts';

export { expectedUserAgent, fromSource } from './executable.ts';
export { watchEndpoints, type EndpointWatch } from './endpoint-watch.ts';
export const PLUGIN_AGENT = 'kubectl-kapsule_ha/';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the plugin against the simulator's admin context (or another). */
export function plugin(args: string[], options: { env?: Record<string, string>; context?: string } = {}): Promise<RunResult> {
  const info = sim.info();
  const env = { ...process.env, KUBECONFIG: info.kubeconfig, NO_COLOR: '1', ...options.env };
  const contextArgs = options.context ? ['--context', options.context] : [];
  const command = pluginCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, [...command.args, ...args, ...contextArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** A write that changes the cluster (an access review only asks a question). */
export const isWrite = (event: sim.AuditEvent): boolean => WRITE_VERBS.includes(event.verb) && event.objectRef?.resource !== 'selfsubjectaccessreviews';

/**
 * The plugin's requests since an audit offset, split into reads and writes, once the log
 * has caught up (sim.readAuditCaughtUp). Every one must come from the program under test:
 * a request from another build of the plugin fails the test.
 */
export async function pluginRequests(sinceOffset: number): Promise<{ reads: number; writes: number; all: sim.AuditEvent[] }> {
  const { events } = await sim.readAuditCaughtUp(sinceOffset);
  const ours = events.filter((event) => event.userAgent?.startsWith(PLUGIN_AGENT));
  const strangers = [...new Set(ours.map((event) => event.userAgent).filter((agent) => agent !== expectedUserAgent))];
  if (strangers.length > 0) throw new Error(`requests from ${strangers.join(', ')}, not from the program under test (${expectedUserAgent})`);
  return { reads: ours.filter((event) => !isWrite(event)).length, writes: ours.filter(isWrite).length, all: ours };
}

export const auditOffset = (): number => sim.auditOffset();

export { sim };
