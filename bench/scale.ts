// Item 5: `status` and `check-drift` on clusters of 9, 300 and 1,000+ nodes: wall time,
// peak RSS (GNU time), requests, and whether every list call is paginated.
import { auditSince, byAgent, PLUGIN_AGENT, quiesce, sim, type AuditEvent } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { hasGnuTime, runOk } from './lib/run.ts';
import { inTurns, median, ms, table } from './lib/stats.ts';

const SHAPES = [
  { default: 1, autoscaled: 2 },
  { default: 34, autoscaled: 66 },
  { default: 100, autoscaled: 234 },
];

interface Sample {
  ms: number;
  rssKiB?: number;
  requests: number;
  lists: number;
  paginatedLists: number;
  nodePages: number;
}

const isNodeList = (event: AuditEvent) => event.verb === 'list' && event.objectRef?.resource === 'nodes';

export async function benchScale(context: Context): Promise<string> {
  const count = rounds(context, 5, 2);
  const rusage = hasGnuTime();
  context.log(`scale: status and check-drift at ${SHAPES.map((s) => 3 * (s.default + s.autoscaled)).join(', ')} nodes, ${count} rounds each (+1 warm-up) …`);
  await sim.reset();
  await runOk(context.plugin, ['enable', 'all', '--yes'], { env: context.cluster.env });
  const rows: string[][] = [];
  try {
    for (const shape of SHAPES) {
      const nodes = 3 * (shape.default + shape.autoscaled);
      context.log(`  ${nodes} nodes: scaling …`);
      await sim.scaleNodes(shape);
      const settleMs = await quiesce();
      context.log(`  ${nodes} nodes Ready, control plane quiet after ${(settleMs / 1000).toFixed(0)} s more …`);
      const measure = (args: string[]) => async (): Promise<Sample> => {
        const offset = sim.auditOffset();
        const result = await runOk(context.plugin, args, { env: context.cluster.env, rusage, codes: [0, 1] });
        const events = (await auditSince(offset)).filter(byAgent(PLUGIN_AGENT));
        const lists = events.filter((event) => event.verb === 'list');
        return {
          ms: result.ms,
          rssKiB: result.peakRssKiB,
          requests: events.length,
          lists: lists.length,
          paginatedLists: lists.filter((event) => /[?&]limit=\d+/.test(event.requestURI)).length,
          nodePages: events.filter(isNodeList).length,
        };
      };
      const cases = [
        { label: 'status all', run: measure(['status', 'all']) },
        { label: 'check-drift all', run: measure(['check-drift', 'all']) },
      ];
      const samples = await inTurns(cases, count, 1);
      for (const entry of cases) {
        const values = samples.get(entry.label)!;
        const wall = median(values.map((s) => s.ms));
        const rss = Math.max(...values.map((s) => s.rssKiB ?? 0)) / 1024;
        const last = values.at(-1)!;
        const target =
          nodes >= 1000
            ? `${context.target(`5. ${entry.label} at ${nodes} nodes: wall time`, `${ms(wall)} ms`, '≤ 1.5 s', wall <= 1500)}, ${context.target(`5. ${entry.label} at ${nodes} nodes: peak RSS`, rusage ? `${rss.toFixed(0)} MiB` : 'n/a', '≤ 150 MiB', rusage && rss <= 150)}`
            : '';
        rows.push([
          String(nodes),
          `\`${entry.label}\``,
          ms(wall),
          rusage ? (median(values.map((s) => s.rssKiB ?? 0)) / 1024).toFixed(0) : 'n/a',
          rusage ? rss.toFixed(0) : 'n/a',
          String(median(values.map((s) => s.requests))),
          `${last.paginatedLists}/${last.lists}`,
          String(last.nodePages),
          target,
        ]);
      }
    }
  } finally {
    context.log('  back to the seeded shape (reset) …');
    await sim.reset();
  }
  return [
    '## 5. Scale: `status` and `check-drift` with 9, 300 and 1,002 nodes',
    '',
    `The components enabled at 9 nodes, then the simulator grown with \`sim.scaleNodes\` (3 zones, pools \`default\` and \`autoscaled\`). ${count} runs of each command in turns after one warm-up round. Peak RSS from GNU time (\`/usr/bin/time -f %M\`, the Debian/Ubuntu package \`time\`: CI must install it too)${rusage ? '' : ' — missing on this machine, so not measured'}. "paginated" counts list requests that carry \`limit=\`; nodes are listed 500 a page.`,
    '',
    table(['nodes', 'command', 'median ms', 'median peak RSS MiB', 'max peak RSS MiB', 'requests', 'lists paginated', 'node list pages', 'target at 1,000+ nodes'], rows),
    '',
  ].join('\n');
}
