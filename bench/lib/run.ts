// Runs a command and times it: wall time from spawn to exit, its output lines each with
// the moment it arrived (the plugin writes stdout/stderr synchronously to pipes, so
// arrival is when it was written), and optionally its peak RSS through GNU time.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Line {
  /** Epoch milliseconds (fractional) when the line arrived. */
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface Run {
  /** Epoch milliseconds at spawn and at exit. */
  startedAt: number;
  endedAt: number;
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
  lines: Line[];
  /** Peak resident set size in KiB (only with `rusage`). */
  peakRssKiB?: number;
  /** User + system CPU time in ms, 10 ms resolution (only with `rusage`). */
  cpuMs?: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Measure peak RSS and CPU time with GNU time (`/usr/bin/time -f '%M %U %S'`). */
  rusage?: boolean;
}

/** Epoch milliseconds with sub-millisecond resolution, on the same clock as the audit log. */
export const now = (): number => performance.timeOrigin + performance.now();

export const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = (): boolean => existsSync(GNU_TIME);

export function run(command: string, args: string[], options: RunOptions = {}): Promise<Run> {
  let rssDir: string | undefined;
  let file = command;
  let argv = args;
  if (options.rusage) {
    if (!hasGnuTime()) throw new Error(`${GNU_TIME} is missing: install GNU time (apt-get install time) to measure peak RSS`);
    rssDir = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-bench-'));
    file = GNU_TIME;
    argv = ['-f', '%M %U %S', '-o', path.join(rssDir, 'rusage'), command, ...args];
  }
  return new Promise((resolve, reject) => {
    const lines: Line[] = [];
    const chunks = { stdout: [] as string[], stderr: [] as string[] };
    const pending = { stdout: '', stderr: '' };
    const startedAt = now();
    const child = spawn(file, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8');
      child[stream].on('data', (chunk: string) => {
        const at = now();
        chunks[stream].push(chunk);
        const parts = (pending[stream] + chunk).split('\n');
        pending[stream] = parts.pop()!;
        for (const text of parts) lines.push({ at, stream, text });
      });
    }
    child.once('error', reject);
    child.once('close', (code) => {
      const endedAt = now();
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) lines.push({ at: endedAt, stream, text: pending[stream] });
      let peakRssKiB: number | undefined;
      let cpuMs: number | undefined;
      if (rssDir) {
        // The last line; GNU time writes "Command exited with non-zero status N" before it.
        const [rss, user, system] = readFileSync(path.join(rssDir, 'rusage'), 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
        peakRssKiB = rss;
        cpuMs = (user! + system!) * 1000;
        rmSync(rssDir, { recursive: true, force: true });
      }
      resolve({ startedAt, endedAt, ms: endedAt - startedAt, code: code ?? 1, stdout: chunks.stdout.join(''), stderr: chunks.stderr.join(''), lines, peakRssKiB, cpuMs });
    });
  });
}

/** Runs and fails with the command's stderr unless it exits with one of `codes`. */
export async function runOk(command: string, args: string[], options: RunOptions & { codes?: number[] } = {}): Promise<Run> {
  const result = await run(command, args, options);
  if (!(options.codes ?? [0]).includes(result.code)) {
    throw new Error(`${path.basename(command)} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim().slice(0, 2000)}`);
  }
  return result;
}
