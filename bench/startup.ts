// Item 1: start-up of the executable (`--help`, `version`) beside `kubectl version --client`.
import { rounds, type Context } from './lib/context.ts';
import { hasGnuTime, runOk } from './lib/run.ts';
import { inTurns, median, ms, ratio, table } from './lib/stats.ts';

export async function benchStartup(context: Context): Promise<string> {
  const count = rounds(context, 25, 8);
  const warmup = 3;
  const rusage = hasGnuTime();
  context.log(`start-up: ${count} rounds in turns (+${warmup} warm-up) …`);
  const cases = [
    { label: 'kubectl-kapsule_ha --help', command: context.plugin, args: ['--help'] },
    { label: 'kubectl-kapsule_ha version', command: context.plugin, args: ['version'] },
    { label: 'kubectl version --client', command: context.cluster.kubectl, args: ['version', '--client'] },
  ];
  const samples = await inTurns(
    cases.map((entry) => ({ label: entry.label, run: () => runOk(entry.command, entry.args, { env: context.cluster.env, rusage }) })),
    count,
    warmup,
  );
  const kubectlRuns = samples.get('kubectl version --client')!;
  const kubectlMedian = median(kubectlRuns.map((r) => r.ms));
  const kubectlCpu = median(kubectlRuns.map((r) => r.cpuMs ?? Number.NaN));
  const rows = cases.map((entry) => {
    const runs = samples.get(entry.label)!;
    const values = runs.map((r) => r.ms);
    const med = median(values);
    const cpu = median(runs.map((r) => r.cpuMs ?? Number.NaN));
    const target = entry.command === context.plugin ? context.target(`1. start-up: ${entry.label}`, ratio(med, kubectlMedian), '≤ 0.8× kubectl version --client', med / kubectlMedian <= 0.8) : '';
    return [entry.label, ms(med), ms(Math.min(...values)), ms(Math.max(...values)), ratio(med, kubectlMedian), rusage ? `${ms(cpu)} (${ratio(cpu, kubectlCpu)})` : 'n/a', target];
  });
  return [
    '## 1. Start-up',
    '',
    `${count} rounds after ${warmup} warm-up rounds, the three commands in turns (rotating order). Wall time from spawn to exit, output discarded; CPU time (user + system, 10 ms resolution) from GNU time, less sensitive than wall time to other processes on the machine.`,
    '',
    table(['command', 'median ms', 'min ms', 'max ms', 'ratio to kubectl', 'median CPU ms (ratio)', 'target'], rows),
    '',
  ].join('\n');
}
