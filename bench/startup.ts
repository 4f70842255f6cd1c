// Item 1: start-up of the executable (`--help`, `version`) beside `kubectl version --client`.
import { rounds, type Context } from './lib/context.ts';
import { runOk } from './lib/run.ts';
import { inTurns, median, ms, ratio, table } from './lib/stats.ts';

export async function benchStartup(context: Context): Promise<string> {
  const count = rounds(context, 25, 8);
  const warmup = 3;
  context.log(`start-up: ${count} rounds in turns (+${warmup} warm-up) …`);
  const cases = [
    { label: 'kubectl-kapsule_ha --help', command: context.plugin, args: ['--help'] },
    { label: 'kubectl-kapsule_ha version', command: context.plugin, args: ['version'] },
    { label: 'kubectl version --client', command: context.cluster.kubectl, args: ['version', '--client'] },
  ];
  const samples = await inTurns(
    cases.map((entry) => ({ label: entry.label, run: async () => (await runOk(entry.command, entry.args, { env: context.cluster.env })).ms })),
    count,
    warmup,
  );
  const kubectlMedian = median(samples.get('kubectl version --client')!);
  const rows = cases.map((entry) => {
    const values = samples.get(entry.label)!;
    const med = median(values);
    const target = entry.command === context.plugin ? context.target(`1. start-up: ${entry.label}`, ratio(med, kubectlMedian), '≤ 0.8× kubectl version --client', med / kubectlMedian <= 0.8) : '';
    return [entry.label, ms(med), ms(Math.min(...values)), ms(Math.max(...values)), ratio(med, kubectlMedian), target];
  });
  return [
    '## 1. Start-up',
    '',
    `${count} rounds after ${warmup} warm-up rounds, the three commands in turns (rotating order). Wall time from spawn to exit, output discarded.`,
    '',
    table(['command', 'median ms', 'min ms', 'max ms', 'ratio to kubectl', 'target'], rows),
    '',
  ].join('\n');
}
