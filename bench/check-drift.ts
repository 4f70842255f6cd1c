// Item 2: `check-drift all` beside `kubectl get deploy -n kube-system -o json` of kubectl
// built alone (the anchor), the Node floor (node-floor.mjs: the same GET from a bare Node
// 24 script) and the machine's own kubectl, if any, on the simulator with the three
// components enabled.
import path from 'node:path';
import { auditSince, byAgent, KUBECTL_AGENT, PLUGIN_AGENT, sim } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { hasGnuTime, runOk } from './lib/run.ts';
import { inTurns, median, ms, ratio, table } from './lib/stats.ts';

interface Sample {
  ms: number;
  cpuMs: number;
  requests: number;
}

const GET_DEPLOY = ['get', 'deploy', '-n', 'kube-system', '-o', 'json'];
const NODE_FLOOR = path.join(import.meta.dirname, 'node-floor.mjs');
const FLOOR_AGENT = 'kapsule-ha-node-floor';
const TARGET = 1.15;

export async function benchCheckDrift(context: Context): Promise<string> {
  const count = rounds(context, 20, 15);
  const warmup = 2;
  const { standalone, machine } = context.anchors;
  context.log(`check-drift: enabling all, then ${count} rounds in turns (+${warmup} warm-up) …`);
  await sim.reset();
  await runOk(context.plugin, ['enable', 'all', '--yes'], { env: context.cluster.env });
  const measure = (command: string, args: string[], agent: string) => async (): Promise<Sample> => {
    const offset = sim.auditOffset();
    const result = await runOk(command, args, { env: context.cluster.env, rusage: hasGnuTime() });
    return { ms: result.ms, cpuMs: result.cpuMs ?? Number.NaN, requests: (await auditSince(offset)).filter(byAgent(agent)).length };
  };
  const anchorLabel = `\`kubectl get deploy -n kube-system -o json\` (${standalone.label})`;
  const floorLabel = `the Node floor: \`node bench/node-floor.mjs\` (node ${process.version}: kubeconfig, one TLS + HTTP/2 session, GET the Deployments, JSON.parse)`;
  const cases = [
    { label: '`kubectl kapsule-ha check-drift all`', run: measure(context.plugin, ['check-drift', 'all'], PLUGIN_AGENT) },
    { label: anchorLabel, run: measure(standalone.path, GET_DEPLOY, KUBECTL_AGENT) },
    { label: floorLabel, run: measure(process.execPath, [NODE_FLOOR], FLOOR_AGENT) },
    // The machine's kubectl may be a dispatcher (gcloud's): its requests are counted under its own agent prefix too.
    ...(machine ? [{ label: `\`kubectl get deploy -n kube-system -o json\` (${machine.label})`, run: measure(machine.path, GET_DEPLOY, KUBECTL_AGENT) }] : []),
  ];
  const samples = await inTurns(cases, count, warmup);
  const medianOf = (label: string, pick: (sample: Sample) => number) => median(samples.get(label)!.map(pick));
  const anchorMs = medianOf(anchorLabel, (s) => s.ms);
  const anchorCpu = medianOf(anchorLabel, (s) => s.cpuMs);
  const rows = cases.map((entry, index) => {
    const values = samples.get(entry.label)!.map((s) => s.ms);
    const med = median(values);
    const cpu = medianOf(entry.label, (s) => s.cpuMs);
    const target =
      index === 0
        ? context.target('2. check-drift all', `${ms(med)} ms, ${ratio(med, anchorMs)} wall, ${ratio(cpu, anchorCpu)} CPU`, `≤ ${TARGET}× kubectl get deploy -o json (${standalone.label}), wall and CPU`, med / anchorMs <= TARGET && cpu / anchorCpu <= TARGET)
        : '';
    return [entry.label, ms(med), ms(Math.min(...values)), ms(Math.max(...values)), medianOf(entry.label, (s) => s.requests), ratio(med, anchorMs), `${ms(cpu)} (${ratio(cpu, anchorCpu)})`, target];
  });
  return [
    '## 2. `check-drift all` beside `kubectl get deploy`',
    '',
    `On the simulator (9 nodes) after \`enable all\`; ${count} rounds after ${warmup} warm-up rounds, in turns. The anchor is ${standalone.label} built alone as release builds are, its discovery cache warm${machine ? `; ${machine.label} (\`${machine.path}\`) is shown beside it` : ''}. The Node floor is what any Node program pays for this job (start-up, TLS, one HTTP/2 GET, JSON.parse): the plugin's cost above it is its own. Requests from the audit log; kubectl's include its discovery when the cache is stale.`,
    '',
    table(['command', 'median ms', 'min ms', 'max ms', 'requests', `ratio to ${standalone.label}`, 'median CPU ms (ratio)', 'target'], rows),
    '',
  ].join('\n');
}
