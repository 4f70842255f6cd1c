// The documented manual procedure (Scaleway's kapsule-scale-internals guide), scripted
// with kubectl exactly as the guide writes it: its `$ kubectl …` lines are read from its
// README and run verbatim by bash in the guide's own folder, so its YAML files are the
// ones next to it (referenced by path, copied nowhere).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { now, run, type Run } from './lib/run.ts';
import { sim } from './lib/cluster.ts';
import type { Context } from './lib/context.ts';
import { inTurns } from './lib/stats.ts';

export const GUIDE_DIR_FROM_REPO = '../shared/reference/kapsule-scale-internals';

export interface Guide {
  dir: string;
  /** The enabling commands, in order: the sections cilium-operator, coredns and metrics-server. */
  commands: string[];
}

/**
 * The guide's enabling commands: every `$ kubectl` line from its "cilium-operator"
 * heading up to "cluster autoscaling consideration" (the optional pool pinning, which
 * `enable all` does not do either unless given --pools).
 */
export function loadGuide(repo: string): Guide {
  // BENCH_GUIDE_DIR: the guide's folder when the repository is not beside it (a git worktree, say).
  const dir = process.env.BENCH_GUIDE_DIR ? path.resolve(process.env.BENCH_GUIDE_DIR) : path.resolve(repo, GUIDE_DIR_FROM_REPO);
  const readme = path.join(dir, 'README.md');
  if (!existsSync(readme)) {
    throw new Error(`the documented procedure is missing: ${readme} not found (the benchmark compares enable with it; it expects the reference folder beside the repository)`);
  }
  const lines = readFileSync(readme, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === 'cilium-operator');
  const end = lines.findIndex((line) => line.trim() === 'cluster autoscaling consideration');
  if (start < 0 || end < start) throw new Error(`${readme}: the sections "cilium-operator" … "cluster autoscaling consideration" were not found`);
  const commands = lines
    .slice(start, end)
    .filter((line) => line.startsWith('$ kubectl '))
    .map((line) => line.slice(2));
  if (commands.length === 0) throw new Error(`${readme}: no "$ kubectl" command found`);
  return { dir, commands };
}

export interface GuideRun {
  startedAt: number;
  endedAt: number;
  ms: number;
  steps: (Run & { command: string })[];
  failed: (Run & { command: string })[];
}

/**
 * Runs every command in turn, as a person pasting them would: a failure is recorded and
 * the next command runs. `coldCache`: each command gets an empty kubectl cache (discovery
 * and OpenAPI), as in a CI job or a fresh container.
 */
export async function runGuide(guide: Guide, env: NodeJS.ProcessEnv, coldCache = false): Promise<GuideRun> {
  const scratch = coldCache ? mkdtempSync(path.join(tmpdir(), 'kapsule-ha-bench-cache-')) : undefined;
  const startedAt = now();
  const steps: GuideRun['steps'] = [];
  for (const [index, command] of guide.commands.entries()) {
    const commandEnv = scratch ? { ...env, KUBECACHEDIR: path.join(scratch, String(index)) } : env;
    const result = await run('bash', ['-c', command], { env: commandEnv, cwd: guide.dir });
    steps.push({ ...result, command });
  }
  const endedAt = now();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  return { startedAt, endedAt, ms: endedAt - startedAt, steps, failed: steps.filter((step) => step.code !== 0) };
}

/**
 * `enable all` by the plugin beside the guide's procedure, `count` runs of each in turns, each
 * run measured by `measured` (given the side, which resolves to its number of failed
 * commands); the simulator reset afterwards.
 */
export async function enableAllBesideGuide<S>(context: Context, count: number, measured: (side: () => Promise<number>) => Promise<S>): Promise<{ plugin: S[]; guide: S[] }> {
  const guide = loadGuide(context.repo);
  const samples = await inTurns<S>(
    [
      { label: 'plugin', run: () => measured(async () => ((await run(context.plugin, ['enable', 'all', '--yes'], { env: context.cluster.env })).code === 0 ? 0 : 1)) },
      { label: 'guide', run: () => measured(async () => (await runGuide(guide, context.cluster.env)).failed.length) },
    ],
    count,
  );
  await sim.reset();
  return { plugin: samples.get('plugin')!, guide: samples.get('guide')! };
}
