// state.json (the shape `up` was asked for, and the tokens) and the lock that keeps two
// `up`s (two terminals, two test runs) from starting two control planes in one directory.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Layout } from './layout.ts';
import type { NodesPerZone } from './nodes.ts';
import type { Tokens } from './pki.ts';
import { isAlive } from './processes.ts';

export interface SimState {
  nodesPerZone: NodesPerZone;
  zones: string[];
  tokens: Tokens;
  /** Mean delay (ms, ±1/3 jitter) between a runner pod's bind and its process start: the image pull. */
  startDelayMs?: number;
  /** The settings `up` was given, which `reset` puts back (setStartDelay changes only startDelayMs). */
  initial?: { startDelayMs: number };
}

export const defaultStartDelayMs = 3000;

export function readState(l: Layout): SimState | undefined {
  try {
    return JSON.parse(readFileSync(l.stateFile, 'utf8')) as SimState;
  } catch {
    return undefined;
  }
}

export async function writeState(l: Layout, state: SimState): Promise<void> {
  await writeFile(l.stateFile, `${JSON.stringify(state, null, 1)}\n`, { mode: 0o600 });
}

/** Runs `work` holding the state directory's lock; waits while another live process holds it. */
export async function withLock<T>(l: Layout, work: () => Promise<T>, timeoutMs = 20 * 60_000): Promise<T> {
  await mkdir(l.stateDir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(l.lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSafe(l.lockFile).trim());
      // A holder that died (or a half-written file) leaves a stale lock: take it over.
      if (!holder || !isAlive(holder)) await rm(l.lockFile, { force: true });
      else if (Date.now() > deadline) throw new Error(`another process (pid ${holder}) has been starting the simulator in ${l.stateDir} for too long`);
      else await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    await rm(l.lockFile, { force: true });
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
