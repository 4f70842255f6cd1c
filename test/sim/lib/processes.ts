// Detached component processes: started with their log in logs/<name>.log and their
// pid in pids/<name>.pid, stopped by that pid only (after checking it is still ours).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runnerMain, type Layout } from './layout.ts';
import { gatewayMain } from './pod-network.ts';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** Started inside this network namespace (`nsenter --net=`), resolved at start. */
  netns?: () => string;
}

export function logFile(l: Layout, name: string): string {
  return path.join(l.logDir, `${name}.log`);
}

export async function startProcess(l: Layout, spec: ProcessSpec): Promise<number> {
  await mkdir(l.logDir, { recursive: true });
  await mkdir(l.pidDir, { recursive: true });
  const out = openSync(logFile(l, spec.name), 'a');
  try {
    // Detached, in its own process group, so that it outlives `npm run sim:up` and a
    // Ctrl-C in the terminal that started it does not reach it.
    const [command, args] = spec.netns ? ['nsenter', [`--net=${spec.netns()}`, spec.command, ...spec.args]] : [spec.command, spec.args];
    const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out], cwd: l.stateDir });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start ${spec.name} (${spec.command}): ${error.message}`)));
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    await writeFile(path.join(l.pidDir, `${spec.name}.pid`), `${pid}\n`);
    return pid;
  } finally {
    closeSync(out);
  }
}

/** The pids of the components started from this state directory that still run. */
export async function runningProcesses(l: Layout): Promise<Map<string, number>> {
  const running = new Map<string, number>();
  let files: string[] = [];
  try {
    files = await readdir(l.pidDir);
  } catch {
    return running;
  }
  for (const file of files.filter((f) => f.endsWith('.pid'))) {
    const pid = Number((await readFile(path.join(l.pidDir, file), 'utf8')).trim());
    if (isOurs(pid, l)) running.set(file.slice(0, -'.pid'.length), pid);
  }
  return running;
}

/** Alive and running one of our binaries: a recycled pid must never be killed. */
function isOurs(pid: number, l: Layout): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // The runner and the cluster gateway are Node.js programs: their scripts name them.
    return (commandLine.startsWith(l.binDir) || commandLine.includes(runnerMain) || commandLine.includes(gatewayMain)) && commandLine.includes(l.stateDir);
  } catch {
    return false;
  }
}

/** SIGTERM each, SIGKILL what is still there after `graceMs`, then forget the pid files. */
export async function stopProcesses(l: Layout, names?: string[], graceMs = 5000): Promise<void> {
  const running = await runningProcesses(l);
  const targets = [...running].filter(([name]) => !names || names.includes(name));
  for (const [, pid] of targets) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (targets.some(([, pid]) => isAlive(pid)) && Date.now() < deadline) await sleep(50);
  for (const [, pid] of targets) if (isAlive(pid)) signal(pid, 'SIGKILL');
  while (targets.some(([, pid]) => isAlive(pid))) await sleep(20);
  // Pid files of processes that had already exited go too.
  const inScope = (file: string) => file.endsWith('.pid') && (!names || names.includes(file.slice(0, -'.pid'.length)));
  for (const file of (await readdir(l.pidDir).catch(() => [])).filter(inScope)) await rm(path.join(l.pidDir, file), { force: true });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped) still answers signal 0.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

export async function tailOfLog(l: Layout, name: string, lines = 20): Promise<string> {
  try {
    const text = await readFile(logFile(l, name), 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resolves to true when something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}
