// Item 2: `check-drift all` beside `kubectl get deploy -n kube-system -o json`, on the
// simulator with the three components enabled.
import { auditSince, byAgent, KUBECTL_AGENT, PLUGIN_AGENT, sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { hasGnuTime, runOk } from './lib/run.ts';
import { inTurns, median, ms, ratio, table } from './lib/stats.ts';

interface Sample {
  ms: number;
  cpuMs: number;
  requests: number;
}

export async function benchCheckDrift(context: Context): Promise<string> {
  const count = rounds(context, 20, 6);
  const warmup = 2;
  context.log(`check-drift: enabling all, then ${count} rounds in turns (+${warmup} warm-up) …`);
  await sim.reset();
  await runOk(context.plugin, ['enable', 'all', '--yes'], { env: context.cluster.env });
  const measure = (command: string, args: string[], agent: string) => async (): Promise<Sample> => {
    const offset = sim.auditOffset();
    const result = await runOk(command, args, { env: context.cluster.env, rusage: hasGnuTime() });
    return { ms: result.ms, cpuMs: result.cpuMs ?? Number.NaN, requests: (await auditSince(offset)).filter(byAgent(agent)).length };
  };
  const cases = [
    { label: '`kubectl kapsule-ha check-drift all`', run: measure(context.plugin, ['check-drift', 'all'], PLUGIN_AGENT) },
    { label: '`kubectl get deploy -n kube-system -o json`', run: measure(context.cluster.kubectl, ['get', 'deploy', '-n', 'kube-system', '-o', 'json'], KUBECTL_AGENT) },
  ];
  const samples = await inTurns(cases, count, warmup);
  const kubectlMedian = median(samples.get(cases[1]!.label)!.map((s) => s.ms));
  const kubectlCpu = median(samples.get(cases[1]!.label)!.map((s) => s.cpuMs));
  const rows = cases.map((entry, index) => {
    const values = samples.get(entry.label)!.map((s) => s.ms);
    const med = median(values);
    const target = index === 0 ? context.target('2. check-drift all', `${ms(med)} ms, ${ratio(med, kubectlMedian)}`, '≤ 1.0× kubectl get deploy -o json', med / kubectlMedian <= 1) : '';
    const cpu = median(samples.get(entry.label)!.map((s) => s.cpuMs));
    return [entry.label, ms(med), ms(Math.min(...values)), ms(Math.max(...values)), median(samples.get(entry.label)!.map((s) => s.requests)), ratio(med, kubectlMedian), `${ms(cpu)} (${ratio(cpu, kubectlCpu)})`, target];
  });
  return [
    '## 2. `check-drift all` beside `kubectl get deploy`',
    '',
    `On the simulator (9 nodes) after \`enable all\`; ${count} rounds after ${warmup} warm-up rounds, in turns. kubectl is the simulator's v1.35.4 with a warm discovery cache. Requests from the audit log; kubectl's include its discovery when the cache is stale.`,
    '',
    table(['command', 'median ms', 'min ms', 'max ms', 'requests', 'ratio to kubectl', 'median CPU ms (ratio)', 'target'], rows),
    '',
  ].join('\n');
}
