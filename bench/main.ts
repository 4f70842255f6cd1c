// `npm run bench`: the whole benchmark suite in one run, each comparison in turns so that
// machine noise hits both sides alike. Prints Markdown and writes bench/RESULTS.md.
// Uses the default simulator (started if none runs, stopped at the end only then), or the
// one KAPSULE_HA_SIM_DIR / KAPSULE_HA_SIM_PORT_OFFSET point to. BENCH_QUICK=1: fewer
// rounds; BENCH_ROUNDS=n: n rounds everywhere; BENCH_ONLY=startup,enable,…: some items, printed only.
// Timings are never asserted in tests.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchCheckDrift } from './check-drift.ts';
import { benchDns } from './dns.ts';
import { benchMetrics } from './metrics.ts';
import { benchEnable } from './enable.ts';
import { benchFleet } from './fleet.ts';
import { benchFleetScale } from './fleet-scale.ts';
import { benchLatency } from './latency.ts';
import { loadGuide } from './guide.ts';
import { findAnchors } from './lib/anchors.ts';
import { openCluster, serverVersion } from './lib/cluster.ts';
import type { Context, TargetRow } from './lib/context.ts';
import { runOk } from './lib/run.ts';
import { table, verdict } from './lib/stats.ts';
import { benchScale } from './scale.ts';
import { benchSize } from './size.ts';
import { benchStartup } from './startup.ts';

const repo = path.resolve(import.meta.dirname, '..');
const plugin = path.join(repo, 'dist', 'kubectl-kapsule_ha');
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

const SECTIONS: { name: string; run: (context: Context) => Promise<string> | string }[] = [
  { name: 'startup', run: benchStartup },
  { name: 'check-drift', run: benchCheckDrift },
  { name: 'enable', run: benchEnable },
  { name: 'scale', run: benchScale },
  { name: 'size', run: benchSize },
  { name: 'dns', run: benchDns },
  { name: 'fleet', run: benchFleet },
  { name: 'latency', run: benchLatency },
  { name: 'fleet-scale', run: benchFleetScale },
  { name: 'metrics', run: benchMetrics },
];

function ensureBuilt(): void {
  if (existsSync(plugin)) return;
  log('dist/kubectl-kapsule_ha is missing: npm run build …');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

/**
 * Copies the executable aside (others may rebuild dist/ in this checkout meanwhile) and
 * notes the sizes; retries while a build is writing it.
 */
async function snapshot(dir: string): Promise<Pick<Context, 'plugin' | 'dist'>> {
  const copy = path.join(dir, 'kubectl-kapsule_ha');
  for (let attempt = 1; ; attempt++) {
    try {
      ensureBuilt();
      const dist = path.dirname(plugin);
      const archives = readdirSync(dist)
        .filter((name) => /\.(tar\.gz|zip)$/.test(name))
        .map((name) => ({ name, bytes: statSync(path.join(dist, name)).size, builtAt: statSync(path.join(dist, name)).mtime }));
      copyFileSync(plugin, copy);
      await runOk(copy, ['version']);
      return { plugin: copy, dist: { binaryBytes: statSync(copy).size, builtAt: statSync(plugin).mtime, archives } };
    } catch (error) {
      if (attempt >= 10) throw error;
      log(`dist/ is changing (a build running?), retrying in 10 s: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      await sleep(10_000);
    }
  }
}

async function header(context: Context, started: Date): Promise<string> {
  const version = JSON.parse((await runOk(context.plugin, ['version', '-o', 'json'])).stdout) as { clientVersion: { version: string; runtime: string } };
  const cpu = cpus();
  return [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\`${context.quick ? ' (BENCH_QUICK=1)' : ''} on ${started.toISOString().slice(0, 16)}Z, ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min.`,
    '',
    table2([
      ['machine', `${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadavg()[0]!.toFixed(1)} at the end (shared with other simulators and test runs)`],
      ['plugin', `kubectl-kapsule_ha ${version.clientVersion.version} (\`dist/kubectl-kapsule_ha\`, embedded ${version.clientVersion.runtime})`],
      ['node (benchmark runner)', process.version],
      ['Kubernetes', `simulator: kube-apiserver ${await serverVersion()}, etcd, controller-manager, scheduler, kwok fake nodes on a pod network with kube-proxy, CoreDNS v1.12.1, cluster-proportional-autoscaler v1.10.3 and metrics-server v0.8.0 running for real (test/sim)`],
      ['kubectl (the anchor: every ratio)', context.anchors.standalone.description],
      ...(context.anchors.machine ? [["the machine's kubectl (shown beside it)", context.anchors.machine.description]] : []),
    ]),
    '',
    'Every comparison runs its sides in turns (the order rotated each round) so that the noise of this shared 2-core machine hits both alike; figures are medians.',
    '',
  ].join('\n');
}

function summary(targets: TargetRow[]): string {
  return ['## Targets', '', table(['item', 'measured', 'target', ''], targets.map((t) => [t.item, t.measured, t.target, verdict(t.met)])), ''].join('\n');
}

function table2(rows: string[][]): string {
  return ['| | |', '|---|---|', ...rows.map(([key, value]) => `| ${key} | ${value} |`)].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const scratch = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-bench-plugin-'));
  const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !SECTIONS.some((section) => section.name === name));
  if (unknown?.length) throw new Error(`BENCH_ONLY: unknown ${unknown.join(', ')} (known: ${SECTIONS.map((s) => s.name).join(', ')})`);
  const parts: string[] = [];
  const targets: TargetRow[] = [];
  let cluster: Context['cluster'] | undefined;
  try {
    loadGuide(repo); // fails now, with its message, rather than minutes later
    const binary = await snapshot(scratch);
    const anchors = findAnchors(repo, log);
    cluster = await openCluster(log, anchors.standalone.path);
    const opened = cluster;
    // Ctrl-C: stop the simulator if this run started it, as the normal end would.
    process.once('SIGINT', () => {
      log('interrupted');
      void opened.stop().finally(() => process.exit(130));
    });
    const target = (item: string, measured: string, goal: string, met: boolean) => {
      targets.push({ item, measured, target: goal, met });
      return `${goal} ${verdict(met)}`;
    };
    const context: Context = { repo, ...binary, cluster, anchors, quick: process.env.BENCH_QUICK === '1', log, target };
    for (const section of SECTIONS) {
      if (only && !only.includes(section.name)) continue;
      const load = loadavg()[0]!;
      const text = `${await section.run(context)}\n_Load average (1 min) of the machine: ${load.toFixed(1)} when this started, ${loadavg()[0]!.toFixed(1)} when it ended._\n`;
      process.stdout.write(`\n${text}`);
      parts.push(text);
    }
    const took = `${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`;
    if (only) log(`done in ${took}; bench/RESULTS.md left as it was (BENCH_ONLY)`);
    else {
      writeFileSync(path.join(repo, 'bench', 'RESULTS.md'), [await header(context, started), summary(targets), ...parts].join('\n'));
      log(`written to bench/RESULTS.md in ${took}`);
    }
  } finally {
    await cluster?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
