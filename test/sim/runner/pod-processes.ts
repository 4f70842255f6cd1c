// The pods' processes outlive nothing: each has a pid file under runner/pids/, and
// `down` (or an `up` cleaning a half-dead simulator) stops those the runner left, after
// checking by the marker in their environment that the pid is still one of ours.
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../lib/processes.ts';

/** Set in every pod process's environment to the state directory. */
export const runnerMarker = 'KAPSULE_HA_SIM_RUNNER';

export function podPidDir(stateDir: string): string {
  return path.join(stateDir, 'runner', 'pids');
}

export function podPidFile(stateDir: string, uid: string, container: string): string {
  return path.join(podPidDir(stateDir), `${uid}_${container}.pid`);
}

function isOurs(pid: number, stateDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${runnerMarker}=${stateDir}`);
  } catch {
    return false;
  }
}

/** SIGKILLs every pod process started from this state directory that still runs. */
export async function stopPodProcesses(stateDir: string): Promise<void> {
  const dir = podPidDir(stateDir);
  const pids: number[] = [];
  for (const file of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number((await readFile(path.join(dir, file), 'utf8').catch(() => '')).trim());
    if (pid > 0 && isOurs(pid, stateDir)) pids.push(pid);
    await rm(path.join(dir, file), { force: true });
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  while (pids.some(isAlive)) await sleep(20);
}
