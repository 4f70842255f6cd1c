// `npm test`: the unit project, then the simulator project's files spread over shards that
// run side by side, each against a simulator of its own, then one report merged from all
// of them (vitest's blob reports), ending with the summary line. Most of a simulator test's
// time is spent waiting for real pods (start-up delays, probes, CoreDNS's lameduck), so
// shards overlap their waits; inside a shard files still run one at a time.
//
// Shard 1 uses the caller's simulator (KAPSULE_HA_SIM_DIR, KAPSULE_HA_SIM_PORT_OFFSET);
// shard i uses <dir>-shard<i> at offset + 1000·(i-1), so the fleet tests' second simulator
// (+50) of each never meets another's. KAPSULE_HA_TEST_SHARDS sets the number (default 3).
// Files go to shards by their measured seconds (test/sim-file-seconds.json, longest first
// onto the least loaded shard); a file not listed there counts as the median.
// With arguments it is a plain `vitest run <arguments>` on the caller's simulator.
import { spawn } from 'node:child_process';
import { existsSync, globSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simTestFiles } from '../vitest.config.ts';
import { spread } from './lib/shards.ts';

const repo = path.resolve(import.meta.dirname, '..');
const vitest = path.join(repo, 'node_modules/vitest/vitest.mjs');
const shardCount = Math.max(1, Number(process.env.KAPSULE_HA_TEST_SHARDS ?? 3) || 1);
const baseDir = path.resolve(process.env.KAPSULE_HA_SIM_DIR ?? path.join(repo, '.sim'));
const baseOffset = Number(process.env.KAPSULE_HA_SIM_PORT_OFFSET ?? 0) || 0;

function run(args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vitest, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main(args: string[]): Promise<number> {
  if (args.length > 0) return run(['run', ...args]);
  const started = Date.now();
  const since = (from: number) => `${Math.round((Date.now() - from) / 1000)}s`;
  const reports = mkdtempSync(path.join(tmpdir(), `kapsule-ha-test-reports-${process.pid}-`));
  const blobArgs = (name: string) => ['--reporter=blob', `--outputFile.blob=${path.join(reports, `${name}.json`)}`, '--reporter=./test/shard-reporter.ts'];
  const timings: string[] = [];
  try {
    const unitStarted = Date.now();
    await run(['run', '--project', 'unit', ...blobArgs('unit')], { KAPSULE_HA_TEST_SHARD: 'unit' });
    timings.push(`unit ${since(unitStarted)}`);

    const files = simTestFiles.flatMap((pattern) => globSync(pattern, { cwd: repo })).sort();
    const seconds = JSON.parse(readFileSync(path.join(repo, 'test/sim-file-seconds.json'), 'utf8')) as Record<string, number>;
    const shards = spread(files, seconds, shardCount);
    let lostFiles = 0;
    const simStarted = Date.now();
    await Promise.all(
      shards.map(async (shardFiles, index) => {
        const name = `sim${index + 1}`;
        const env = {
          KAPSULE_HA_TEST_SHARD: name,
          KAPSULE_HA_SIM_DIR: index === 0 ? baseDir : `${baseDir}-shard${index + 1}`,
          KAPSULE_HA_SIM_PORT_OFFSET: String(baseOffset + 1000 * index),
        };
        const shardStarted = Date.now();
        await run(['run', '--project', 'sim', ...blobArgs(name), ...shardFiles], env);
        timings.push(`${name} ${since(shardStarted)} (${shardFiles.length} files)`);
        // A shard that died before reporting (its simulator did not start) fails its files.
        if (!existsSync(path.join(reports, `${name}.json`))) lostFiles += shardFiles.length;
      }),
    );
    timings.push(`simulator shards side by side ${since(simStarted)}`);
    process.stdout.write(`\n[test] ${timings.join(' · ')} · total ${since(started)}\n`);
    const merged = await run(['run', `--merge-reports=${reports}`], { KAPSULE_HA_TEST_LOST_FILES: String(lostFiles) });
    return lostFiles > 0 ? 1 : merged;
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
