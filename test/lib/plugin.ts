// Test helpers for the plugin against the simulator: run it (the built executable, see
// executable.ts), read objects, count its requests in the audit log, and watch the DNS
// endpoints while it works (endpoint-watch.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import * as sim from '../sim/sim.ts';
import { expectedUserAgent, pluginCommand } from './executable.ts';

export { expectedUserAgent, fromSource } from './executable.ts';
export { watchEndpoints, type EndpointWatch } from './endpoint-watch.ts';
export { onJsonLines } from '../sim/lib/json-lines.ts';
export const PLUGIN_AGENT = 'kubectl-kapsule_ha/';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningPlugin {
  child: ChildProcess;
  done: Promise<RunResult & { signal: NodeJS.Signals | null }>;
  /** Resolves once stderr so far matches; rejects if the plugin ends first. */
  stderrMatches(pattern: RegExp): Promise<void>;
}

/**
 * The plugin as a child process the caller may kill or interrupt, against the simulator's
 * admin context (or another context, or another kubeconfig).
 */
export function startPlugin(args: string[], options: { env?: Record<string, string>; context?: string; kubeconfig?: string } = {}): RunningPlugin {
  const env = { ...process.env, KUBECONFIG: options.kubeconfig ?? sim.info().kubeconfig, NO_COLOR: '1', ...options.env };
  const contextArgs = options.context ? ['--context', options.context] : [];
  const command = pluginCommand();
  const child = spawn(command.file, [...command.args, ...args, ...contextArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<RunResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  const stderrMatches = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const look = () => {
        if (!pattern.test(stderr)) return;
        child.stderr.off('data', look);
        resolve();
      };
      child.stderr.on('data', look);
      look();
      void done.then((result) => reject(new Error(`the plugin ended (exit ${result.code}) before stderr matched ${pattern}: ${result.stderr}`)));
    });
  return { child, done, stderrMatches };
}

/** Runs the plugin to its end against the simulator's admin context (or another). */
export function plugin(args: string[], options: { env?: Record<string, string>; context?: string } = {}): Promise<RunResult> {
  return startPlugin(args, options).done;
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
