import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailureError, UsageError } from '../kube/exit-codes.ts';
import { writesOf, type ComponentPlan, type WriteStep } from '../engine/types.ts';
import type { KubeObject } from '../kube/types.ts';
import { forDisplay, toYaml } from './object-yaml.ts';
import type { DiffOptions, VerbDeps } from './options.ts';
import type { FleetOptions } from './fleet-types.ts';
import { planFrom, readFor, settingsFrom, type Direction } from './planning.ts';
import type { Snapshot } from '../engine/read.ts';
import { componentSummaries, type ClusterReporter, type FleetVerbOptions } from './cluster-report.ts';
import { surveyCluster } from './status.ts';

export interface ObjectDiff {
  /** kubectl diff's file name: apps.v1.Deployment.kube-system.coredns-ha */
  name: string;
  live: string;
  merged: string;
}

function fileName(step: WriteStep): string {
  const [group, version] = step.ref.apiVersion.includes('/') ? step.ref.apiVersion.split('/') : ['', step.ref.apiVersion];
  return [group, version, step.ref.kind, step.ref.namespace, step.ref.name].filter(Boolean).join('.');
}

async function objectDiff(step: WriteStep): Promise<ObjectDiff> {
  const before = step.action === 'create' ? undefined : forDisplay(step.live);
  const after: KubeObject | undefined =
    step.action === 'create' ? step.object : step.action === 'patch' ? forDisplay(step.target) : undefined;
  return { name: fileName(step), live: await toYaml(before), merged: await toYaml(after) };
}

const COLORS = { '+': '\x1b[32m', '-': '\x1b[31m', '@': '\x1b[36m' } as const;

function colorize(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      const color = line.startsWith('+++') || line.startsWith('---') ? '\x1b[1m' : COLORS[line[0] as keyof typeof COLORS];
      return color ? `${color}${line}\x1b[0m` : line;
    })
    .join('\n');
}

async function unifiedDiffs(diffs: ObjectDiff[], color: boolean): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const text = diffs
    .map((diff) => createTwoFilesPatch(`live/${diff.name}`, `merged/${diff.name}`, diff.live, diff.merged, '', '', { context: 3 }))
    .map((patch) => patch.replace(/^=+\n/, ''))
    .join('');
  return color ? colorize(text) : text;
}

/** KUBECTL_EXTERNAL_DIFF, as kubectl diff runs it: the command and its flags, then two folders. */
async function externalDiff(command: string, diffs: ObjectDiff[], deps: VerbDeps): Promise<void> {
  // Loaded only here (not import(): the bundle runs in a vm.Script): child_process costs every run a few ms, and only KUBECTL_EXTERNAL_DIFF needs it.
  const { spawn } = process.getBuiltinModule('node:child_process');
  const { mkdtemp, mkdir, rm, writeFile } = process.getBuiltinModule('node:fs/promises');
  const root = await mkdtemp(join(tmpdir(), 'kapsule-ha-diff-'));
  try {
    const [liveDir, mergedDir] = [join(root, 'LIVE'), join(root, 'MERGED')];
    await Promise.all([mkdir(liveDir), mkdir(mergedDir)]);
    await Promise.all(
      diffs.flatMap((diff) => [writeFile(join(liveDir, diff.name), diff.live), writeFile(join(mergedDir, diff.name), diff.merged)]),
    );
    const [program, ...args] = command.trim().split(/\s+/);
    const child = spawn(program!, [...args, liveDir, mergedDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => deps.io.out(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => deps.io.err(chunk.toString()));
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', (error) => reject(new FailureError(`KUBECTL_EXTERNAL_DIFF=${command} could not run: ${error.message}`)));
      child.on('close', (exitCode) => resolve(exitCode ?? 1));
    });
    // diff(1) exits 1 for "different"; more is a failure of the program.
    if (code > 1) throw new FailureError(`KUBECTL_EXTERNAL_DIFF=${command} failed with exit code ${code}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** What enable (or, with --disable, disable) would change: warnings, and one diff per object written. */
interface PlannedDiff {
  direction: Direction;
  warnings: string[];
  diffs: ObjectDiff[];
  /** Objects written per component. */
  changes: (component: string) => number;
}

async function plannedDiff(snapshot: Snapshot, options: FleetVerbOptions): Promise<PlannedDiff> {
  const direction = options.disable ? 'disable' : 'enable';
  const { plans } = planFrom(snapshot, options.components, direction, settingsFrom(options));
  const diffs = await Promise.all(plans.flatMap(writesOf).map(objectDiff));
  const changes = (component: string) => plans.filter((plan) => plan.component === component).flatMap(writesOf).length;
  return { direction, warnings: plans.flatMap((plan) => plan.warnings).map((warning) => `Warning: ${warning}\n`), diffs, changes };
}

/** `what`: the command whose changes are shown ('enable', 'guard install'). */
const unchanged = (what: string) => `no differences: ${what} would change nothing\n`;

/** A fleet run's view of one cluster: the warnings and unified diffs diff prints, with status's summary. */
export const diffOfCluster: ClusterReporter = {
  verb: 'diff',
  wording: { count: 'CHANGES', same: 'would change nothing', differs: 'would change' },
  differenceIsExit1: true,
  async report(kube, options, context, color) {
    const { snapshot, status } = await surveyCluster(kube, options, context);
    const planned = await plannedDiff(snapshot, options);
    const text = planned.diffs.length === 0 ? unchanged(planned.direction) : await unifiedDiffs(planned.diffs, color);
    return {
      components: componentSummaries(status, planned.changes),
      result: { direction: planned.direction, objects: planned.diffs.map((diff) => diff.name) },
      text: `${planned.warnings.join('')}${text}`,
      differs: planned.diffs.length > 0,
    };
  },
};

export async function run(options: DiffOptions & FleetOptions, deps: VerbDeps): Promise<number> {
  if (options.fleet) {
    if (deps.io.env.KUBECTL_EXTERNAL_DIFF) {
      throw new UsageError('KUBECTL_EXTERNAL_DIFF is not used by a fleet diff (one unified diff per context): unset it, or diff one --context at a time');
    }
    return (await import('./fleet.ts')).runFleet(diffOfCluster, options, options.fleet, deps);
  }
  const kube = await deps.kube();
  const direction = options.disable ? 'disable' : 'enable';
  const { plans } = planFrom(await readFor(kube, options.namespace, options.components), options.components, direction, settingsFrom(options));
  return showDiffs(plans, direction, deps);
}

/** The plans' warnings and writes as diffs (KUBECTL_EXTERNAL_DIFF honoured); exit 1 when something would change. */
export async function showDiffs(plans: ComponentPlan[], what: string, deps: VerbDeps): Promise<number> {
  for (const warning of plans.flatMap((plan) => plan.warnings)) deps.io.err(`Warning: ${warning}\n`);
  const diffs = await Promise.all(plans.flatMap(writesOf).map(objectDiff));
  if (diffs.length === 0) {
    deps.io.err(unchanged(what));
    return 0;
  }
  const external = deps.io.env.KUBECTL_EXTERNAL_DIFF;
  if (external) await externalDiff(external, diffs, deps);
  else deps.io.out(await unifiedDiffs(diffs, deps.color));
  return 1;
}
