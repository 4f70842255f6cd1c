// Item 1: start-up of the executable (`--help`, `version`) beside `kubectl version --client`
// of kubectl built alone (the anchor) and of the machine's own kubectl, if any.
import { rounds, type Context } from './lib/context.ts';
import { hasGnuTime, runOk } from './lib/run.ts';
import { inTurns, median, ms, ratio, table } from './lib/stats.ts';

/** Peak memory allowed above the anchor's. */
const RSS_MARGIN_MIB = 10;

export async function benchStartup(context: Context): Promise<string> {
  const count = rounds(context, 25, 15);
  const warmup = 3;
  const rusage = hasGnuTime();
  const { standalone, machine } = context.anchors;
  context.log(`start-up: ${count} rounds in turns (+${warmup} warm-up) …`);
  const anchorLabel = `${standalone.label} version --client`;
  const cases = [
    { label: 'kubectl-kapsule_ha --help', command: context.plugin, args: ['--help'], plugin: true },
    { label: 'kubectl-kapsule_ha version', command: context.plugin, args: ['version'], plugin: true },
    { label: anchorLabel, command: standalone.path, args: ['version', '--client'], plugin: false },
    ...(machine ? [{ label: `${machine.label} version --client`, command: machine.path, args: ['version', '--client'], plugin: false }] : []),
  ];
  const samples = await inTurns(
    cases.map((entry) => ({ label: entry.label, run: () => runOk(entry.command, entry.args, { env: context.cluster.env, rusage }) })),
    count,
    warmup,
  );
  const medianOf = (label: string, pick: (run: { ms: number; cpuMs?: number; peakRssKiB?: number }) => number | undefined) =>
    median(samples.get(label)!.map((run) => pick(run) ?? Number.NaN));
  const anchorMs = medianOf(anchorLabel, (r) => r.ms);
  const anchorCpu = medianOf(anchorLabel, (r) => r.cpuMs);
  const anchorRss = medianOf(anchorLabel, (r) => r.peakRssKiB) / 1024;
  const machineMs = machine ? medianOf(`${machine.label} version --client`, (r) => r.ms) : Number.NaN;
  const rows = cases.map((entry) => {
    const values = samples.get(entry.label)!.map((r) => r.ms);
    const med = median(values);
    const cpu = medianOf(entry.label, (r) => r.cpuMs);
    const rss = medianOf(entry.label, (r) => r.peakRssKiB) / 1024;
    const targets = entry.plugin
      ? [
          context.target(`1. start-up: ${entry.label}`, `${ms(med)} ms, ${ratio(med, anchorMs)}`, `≤ 0.8× ${anchorLabel}`, med / anchorMs <= 0.8),
          context.target(`1. start-up: ${entry.label}, peak RSS`, `${rss.toFixed(1)} MiB (${standalone.label}: ${anchorRss.toFixed(1)})`, `≤ ${standalone.label}'s + ${RSS_MARGIN_MIB} MiB`, rss <= anchorRss + RSS_MARGIN_MIB),
        ].join('; ')
      : '';
    return [
      entry.label,
      ms(med),
      ms(Math.min(...values)),
      ms(Math.max(...values)),
      ratio(med, anchorMs),
      machine ? ratio(med, machineMs) : '',
      rusage ? `${ms(cpu)} (${ratio(cpu, anchorCpu)})` : 'n/a',
      rusage ? rss.toFixed(1) : 'n/a',
      targets,
    ];
  });
  return [
    '## 1. Start-up',
    '',
    `${count} rounds after ${warmup} warm-up rounds, the commands in turns (rotating order). Wall time from spawn to exit, output to a pipe; CPU time (user + system, 10 ms resolution) and peak RSS from GNU time. The anchor is ${standalone.label} built alone as release builds are${machine ? `; ${machine.label} (\`${machine.path}\`, not built here) is shown beside it` : ''}. The executable is a copy of \`dist/kubectl-kapsule_ha\`, as krew's unpacking writes one. Peak RSS depends on the page-cache state of the file, not only on its bytes: the same binary measured 44–54 MiB from copies, 60–71 MiB run in place right after postject wrote it.`,
    '',
    table(['command', 'median ms', 'min ms', 'max ms', `ratio to ${standalone.label}`, machine ? `ratio to ${machine.label}` : '', 'median CPU ms (ratio)', 'median peak RSS MiB', 'target'], rows),
    '',
  ].join('\n');
}
