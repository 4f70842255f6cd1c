// Fleet: `check-drift --contexts a,b` over two simulators (one drifted by an upgrade) beside
// each cluster checked alone, one after the other (the script a user writes without it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adminOf, secondSim, secondSimEnv, writeKubeconfig } from '../test/lib/second-sim.ts';
import { sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { runOk } from './lib/run.ts';
import { inTurns, median, ms, ratio, table } from './lib/stats.ts';

export async function benchFleet(context: Context): Promise<string> {
  const count = rounds(context, 12, 4);
  const warmup = 1;
  const firstDir = context.cluster.info.stateDir;
  const scratch = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-bench-fleet-'));
  context.log(`fleet: starting a second simulator (${secondSimEnv(firstDir).KAPSULE_HA_SIM_DIR}), enabling all on both …`);
  try {
    await Promise.all([sim.reset(), secondSim(firstDir, 'up').then(() => secondSim(firstDir, 'reset'))]);
    const kubeconfig = path.join(scratch, 'config');
    writeKubeconfig(kubeconfig, [adminOf(context.cluster.info.kubeconfig, 'sim-a'), adminOf(path.join(secondSimEnv(firstDir).KAPSULE_HA_SIM_DIR!, 'kubeconfig'), 'sim-b')]);
    const env = { ...context.cluster.env, KUBECONFIG: kubeconfig };
    for (const name of ['sim-a', 'sim-b']) await runOk(context.plugin, ['enable', 'all', '--yes', '--context', name], { env });
    await secondSim(firstDir, 'upgrade');
    const measure = (args: string[]) => async () => (await runOk(context.plugin, args, { env, codes: [0, 1] })).ms;
    const cases = [
      { label: '`check-drift --context sim-a` (in sync)', run: measure(['check-drift', '--context', 'sim-a']) },
      { label: '`check-drift --context sim-b` (drifted)', run: measure(['check-drift', '--context', 'sim-b']) },
      { label: '`check-drift --contexts sim-a,sim-b`', run: measure(['check-drift', '--contexts', 'sim-a,sim-b']) },
    ];
    context.log(`fleet: ${count} rounds in turns (+${warmup} warm-up) …`);
    const samples = await inTurns(cases, count, warmup);
    const medians = cases.map((entry) => median(samples.get(entry.label)!));
    const [a, b, fleet] = medians as [number, number, number];
    const slowest = Math.max(a, b);
    // The goal: close to the slowest single cluster rather than their sum.
    const nearer = fleet - slowest < a + b - fleet;
    const target = context.target('8. fleet: 2 clusters in one run', `${ms(fleet)} ms, ${ratio(fleet, slowest)} the slowest single run, ${ratio(fleet, a + b)} the sum`, 'nearer the slowest single run than the sum', nearer);
    const rows = cases.map((entry, index) => {
      const values = samples.get(entry.label)!;
      return [entry.label, ms(medians[index]!), ms(Math.min(...values)), ms(Math.max(...values))];
    });
    return [
      '## 8. Fleet: two clusters in one run',
      '',
      `Two simulators (9 nodes each, the second upgraded so that it drifted), each with \`enable all\`; ${count} rounds after ${warmup} warm-up round, in turns. The anchor is what users run without fleet flags: one \`check-drift --context\` per cluster, one after the other (their sum), and the slowest of them alone.`,
      '',
      table(['command', 'median ms', 'min ms', 'max ms'], rows),
      '',
      table(['anchor', 'median ms', 'fleet run (median) / anchor', 'target'], [
        ['slowest single cluster run', ms(slowest), ratio(fleet, slowest), target],
        ['both single runs one after the other (sum of medians)', ms(a + b), ratio(fleet, a + b), ''],
      ]),
      '',
    ].join('\n');
  } finally {
    await secondSim(firstDir, 'down').catch((error: unknown) => context.log(`fleet: stopping the second simulator failed: ${String(error)}`));
    rmSync(scratch, { recursive: true, force: true });
  }
}
