// Item 10: `check-drift --all-contexts` over kubeconfigs of 10, 100 and 1,000 contexts, all
// served by the one simulator (each context with its own cluster and user entry, as a
// kubeconfig of many clusters has them): wall time, peak RSS, per-context cost. Memory must
// stay bounded (≤ 150 MiB at 1,000) and time grow linearly with contexts ÷ --parallel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adminOf, writeKubeconfig, type KubeconfigEntry } from '../test/lib/second-sim.ts';
import { sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { hasGnuTime, runOk } from './lib/run.ts';
import { median, ms, table } from './lib/stats.ts';

const SIZES = [10, 100, 1000];
const PARALLEL = 8;
const RSS_TARGET_MIB = 150;

/** The simulator's admin entry under `count` names: ctx-0001 … */
function manyContexts(kubeconfig: string, count: number): KubeconfigEntry[] {
  return Array.from({ length: count }, (_, index) => adminOf(kubeconfig, `ctx-${String(index + 1).padStart(4, '0')}`));
}

export async function benchFleetScale(context: Context): Promise<string> {
  if (!hasGnuTime()) throw new Error('fleet-scale needs GNU time (/usr/bin/time) for peak RSS');
  const scratch = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-bench-fleet-scale-'));
  try {
    context.log('fleet-scale: enabling all on the simulator …');
    await sim.reset();
    await runOk(context.plugin, ['enable', 'all', '--yes'], { env: context.cluster.env });
    const rows: (string | number)[][] = [];
    let perContextAtTen = 0;
    for (const size of SIZES) {
      const runs = size >= 1000 ? rounds(context, 2, 1) : rounds(context, 3, 2);
      const kubeconfig = path.join(scratch, `config-${size}`);
      writeKubeconfig(kubeconfig, manyContexts(context.cluster.info.kubeconfig, size));
      context.log(`fleet-scale: ${size} contexts, ${runs} run(s) …`);
      const samples: { ms: number; rssMiB: number; cpuMs: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const result = await runOk(context.plugin, ['check-drift', '--all-contexts', '--parallel', String(PARALLEL)], {
          env: { ...context.cluster.env, KUBECONFIG: kubeconfig },
          rusage: true,
        });
        const verdictLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
        if (verdictLine !== `${size} contexts: ${size} in sync`) throw new Error(`fleet-scale: ${size} contexts: unexpected verdict "${verdictLine}"`);
        samples.push({ ms: result.ms, rssMiB: result.peakRssKiB! / 1024, cpuMs: result.cpuMs! });
      }
      const wall = median(samples.map((s) => s.ms));
      const rss = Math.max(...samples.map((s) => s.rssMiB));
      const perContext = wall / size;
      if (size === SIZES[0]) perContextAtTen = perContext;
      const rssCell = size === 1000 ? context.target('10. fleet: check-drift --all-contexts over 1,000 contexts, peak RSS', `${rss.toFixed(0)} MiB`, `≤ ${RSS_TARGET_MIB} MiB`, rss <= RSS_TARGET_MIB) : '';
      rows.push([
        size,
        (wall / 1000).toFixed(2),
        ms(median(samples.map((s) => s.cpuMs))),
        rss.toFixed(0),
        ms(perContext),
        ms(perContext * PARALLEL),
        `${(perContext / perContextAtTen).toFixed(2)}×`,
        rssCell,
      ]);
    }
    return [
      '## 10. Fleet at scale: `check-drift --all-contexts` over 10, 100 and 1,000 contexts',
      '',
      `One simulator (9 nodes, \`enable all\` done) behind every context; each context has its own cluster and user entry (the simulator's server, CA and admin token), as a kubeconfig of many clusters has them. \`--parallel ${PARALLEL}\`, output to a pipe (text: each context's lines as soon as it and those before it are done, then the table). Median wall and CPU of the runs, the highest peak RSS (GNU time). Per-context cost = wall ÷ contexts; × parallel: the time one context takes in its slot. Linear in contexts ÷ --parallel when the per-context cost stays flat as contexts grow (last column: per-context cost over that at 10 contexts).`,
      '',
      table(['contexts', 'wall s', 'CPU ms', 'peak RSS MiB', 'ms per context', '× parallel, ms', 'per context vs 10', 'target'], rows),
      '',
    ].join('\n');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
