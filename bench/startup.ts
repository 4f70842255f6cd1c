// `npm run bench`: start-up of the executable (`--help`, `version`) beside
// `kubectl version --client`, run in turns so that machine noise hits all alike.
// Prints medians and ratios and writes bench/RESULTS.md. Timings are never asserted in tests.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const plugin = join(repo, 'dist', 'kubectl-kapsule_ha');
const simKubectl = join(repo, '.cache', 'sim', 'bin', 'kubectl');
const kubectl = existsSync(simKubectl) ? simKubectl : 'kubectl';
const rounds = Number(process.env.BENCH_ROUNDS ?? 25);
const warmup = 3;

interface Case {
  label: string;
  command: string;
  args: string[];
}

const CASES: Case[] = [
  { label: 'kubectl-kapsule_ha --help', command: plugin, args: ['--help'] },
  { label: 'kubectl-kapsule_ha version', command: plugin, args: ['version'] },
  { label: 'kubectl version --client', command: kubectl, args: ['version', '--client'] },
];

function timeOnce(entry: Case): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(entry.command, entry.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${entry.label} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

/**
 * CPU time (user + sys) per run, from bash's `times` for its children: less sensitive than
 * wall time to other work on a shared machine.
 */
function cpuPerRun(entry: Case, runs: number): number {
  const script = `for i in $(seq ${runs}); do "$@" >/dev/null 2>&1; done; times`;
  const output = spawnSync('bash', ['-c', script, 'bench', entry.command, ...entry.args], { encoding: 'utf8' }).stdout;
  const children = output.trim().split('\n').at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((total, [, minutes, secs]) => total + Number(minutes) * 60 + Number(secs), 0);
  return (seconds * 1000) / runs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

if (!existsSync(plugin)) {
  process.stderr.write('dist/kubectl-kapsule_ha is missing: run npm run build first\n');
  process.exitCode = 2;
} else {
  const samples = new Map<string, number[]>(CASES.map((entry) => [entry.label, []]));
  for (let round = -warmup; round < rounds; round++) {
    // Rotate the order each round: no case always runs right after another.
    const order = CASES.map((_, index) => CASES[(index + Math.max(round, 0)) % CASES.length]!);
    for (const entry of order) {
      const ms = timeOnce(entry);
      if (round >= 0) samples.get(entry.label)!.push(ms);
    }
  }
  const kubectlMedian = median(samples.get('kubectl version --client')!);
  const cpu = new Map(CASES.map((entry) => [entry.label, cpuPerRun(entry, rounds)]));
  const kubectlCpu = cpu.get('kubectl version --client')!;
  const rows = CASES.map((entry) => {
    const values = samples.get(entry.label)!;
    const med = median(values);
    const cpuMs = cpu.get(entry.label)!;
    return `| ${entry.label} | ${med.toFixed(1)} | ${Math.min(...values).toFixed(1)} | ${Math.max(...values).toFixed(1)} | ${(med / kubectlMedian).toFixed(2)}× | ${cpuMs.toFixed(1)} | ${(cpuMs / kubectlCpu).toFixed(2)}× |`;
  });
  const report = [
    '# Start-up benchmark',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 16)}Z: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}),`,
    `${rounds} rounds after ${warmup} warm-up rounds, the three commands in turns (rotating order).`,
    `kubectl: \`${kubectl.replace(repo + '/', '')}\` (${spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8' }).stdout.split('\n')[0]}).`,
    '',
    '| command | median ms | min ms | max ms | ratio to kubectl | CPU ms/run | CPU ratio |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Load average when done: ${loadavg().map((load) => load.toFixed(2)).join(', ')} (other work on the machine skews wall time).`,
    '',
    'Target: ≤ 0.8× `kubectl version --client`. Wall-clock time from spawn to exit, output',
    'discarded; CPU is user + sys per run over the same number of runs (bash `times`).',
    '',
  ].join('\n');
  process.stdout.write(report);
  writeFileSync(join(repo, 'bench', 'RESULTS.md'), report);
}
