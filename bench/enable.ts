// Items 3 and 4: `enable all --yes` from the seeded state beside the documented manual
// procedure (bench/guide.ts) on the same simulator, reset before each run; then a second
// `enable all`, which must write nothing. Wall time and API requests (audit log, by user
// agent), each split into own work and waiting for pods.
import { setTimeout as sleep } from 'node:timers/promises';
import { auditSince, byAgent, isReview, isWrite, KUBECTL_AGENT, PLUGIN_AGENT, receivedAt, sim, BENCH_AGENT, type AuditEvent } from './lib/cluster.ts';
import { rounds, type Context } from './lib/context.ts';
import { watchDns } from './lib/dns-watch.ts';
import { ownWork, requestIntervals, waitIntervals } from './lib/round-trips.ts';
import { now, runOk } from './lib/run.ts';
import { inTurns, median, ratio, seconds, table } from './lib/stats.ts';
import { loadGuide, runGuide, type Guide } from './guide.ts';

interface Sample {
  wallMs: number;
  waitMs: number;
  requests: number;
  waitRequests: number;
  reviews: number;
  writes: number;
  /** After the last command, until every copy is rolled out (the guide does not wait). */
  settleMs: number;
  dnsGapMs: number;
  /** From the coredns copy's first Ready endpoint to the write that scales the original to 0 (negative: scaled down first). */
  marginMs?: number;
  /** The guide only: per command, wall time and requests. */
  commands?: { command: string; ms: number; requests: number; writes: number; code: number; stderr: string }[];
}

interface Again {
  wallMs: number;
  requests: number;
  writes: number;
}

/** The write that takes the original coredns down: the guide's `kubectl scale` (scale subresource), the plugin's patch. */
const scalesCorednsDown = (event: AuditEvent): boolean =>
  isWrite(event) && event.objectRef?.resource === 'deployments' && event.objectRef.name === 'coredns' && (event.objectRef.subresource === 'scale' || event.verb === 'patch');

function margin(events: AuditEvent[], copyReady: number | undefined): number | undefined {
  const down = events.find(scalesCorednsDown);
  return down && copyReady !== undefined ? receivedAt(down) - copyReady : undefined;
}

const within = (at: number, intervals: [number, number][]) => intervals.some(([from, to]) => at >= from && at <= to);

/** Polls (as the benchmark) until the three HA deployments are rolled out; returns when (undefined: not within a minute). */
/** The fields of a Deployment that say whether its rollout is done. */
interface DeploymentState {
  metadata: { name: string; generation: number };
  spec: { replicas?: number };
  status?: { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number; replicas?: number };
}

export async function settled(): Promise<number | undefined> {
  const api = sim.apiClient({ userAgent: `${BENCH_AGENT}/settle` });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const list = await api.get<{ items: DeploymentState[] }>('/apis/apps/v1/namespaces/kube-system/deployments');
      const byName = new Map(list.body.items.map((d) => [d.metadata.name as string, d]));
      const done = ['cilium-operator', 'coredns-ha', 'metrics-server-ha'].every((name) => {
        const d = byName.get(name);
        if (!d) return false;
        const want = d.spec.replicas ?? 1;
        const s = d.status ?? {};
        return (s.observedGeneration ?? 0) >= d.metadata.generation && (s.updatedReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want && (s.replicas ?? 0) === want;
      });
      if (done) return now();
      if (Date.now() > deadline) return undefined;
      await sleep(25);
    }
  } finally {
    api.close();
  }
}

async function pluginRun(context: Context): Promise<Sample> {
  await sim.reset();
  const dns = await watchDns();
  const offset = sim.auditOffset();
  try {
    // -v 6: the log says when each wait starts.
    const result = await runOk(context.plugin, ['enable', 'all', '--yes', '-v', '6'], { env: context.cluster.env });
    const events = (await auditSince(offset)).filter(byAgent(PLUGIN_AGENT));
    const waits = waitIntervals(result.lines);
    if (waits.length === 0) throw new Error(`enable printed no wait line; its stderr:\n${result.stderr}`);
    return {
      wallMs: result.ms,
      // Components wait side by side: only the moments it did nothing but wait count.
      waitMs: result.ms - ownWork(result, requestIntervals(result.lines)),
      requests: events.length,
      waitRequests: events.filter((event) => within(receivedAt(event), waits)).length,
      reviews: events.filter(isReview).length,
      writes: events.filter(isWrite).length,
      settleMs: 0,
      dnsGapMs: dns.gapMs(result.startedAt, result.endedAt),
      marginMs: margin(events, dns.firstReady('coredns-ha-')),
    };
  } finally {
    dns.stop();
  }
}

/** A second `enable all` right after a first one. */
async function pluginAgain(context: Context): Promise<Again> {
  const offset = sim.auditOffset();
  const result = await runOk(context.plugin, ['enable', 'all', '--yes'], { env: context.cluster.env });
  const events = (await auditSince(offset)).filter(byAgent(PLUGIN_AGENT));
  return { wallMs: result.ms, requests: events.length, writes: events.filter(isWrite).length };
}

async function guideRun(guide: Guide, context: Context, coldCache = false): Promise<Sample> {
  await sim.reset();
  const dns = await watchDns();
  const offset = sim.auditOffset();
  try {
    const result = await runGuide(guide, context.cluster.env, coldCache);
    const settledAt = (await settled()) ?? Number.NaN;
    const events = (await auditSince(offset)).filter(byAgent(KUBECTL_AGENT));
    const during = (from: number, to: number) => events.filter((event) => receivedAt(event) >= from && receivedAt(event) <= to);
    return {
      wallMs: result.ms,
      waitMs: 0,
      requests: events.length,
      waitRequests: 0,
      reviews: events.filter(isReview).length,
      writes: events.filter(isWrite).length,
      settleMs: settledAt - result.endedAt,
      dnsGapMs: dns.gapMs(result.startedAt, Number.isNaN(settledAt) ? now() : settledAt),
      marginMs: margin(events, dns.firstReady('coredns-ha-')),
      commands: result.steps.map((step) => {
        const own = during(step.startedAt, step.endedAt);
        return { command: step.command, ms: step.ms, requests: own.length, writes: own.filter(isWrite).length, code: step.code, stderr: step.stderr.trim() };
      }),
    };
  } finally {
    dns.stop();
  }
}

const margins = (samples: Sample[]): number[] => samples.flatMap((s) => (s.marginMs === undefined ? [] : [s.marginMs]));
const showMargin = (m: { margin: number; marginMin: number }): string => (Number.isNaN(m.margin) ? 'n/a' : `${m.margin.toFixed(0)} (min ${m.marginMin.toFixed(0)})`);

export async function benchEnable(context: Context): Promise<string> {
  const guide = loadGuide(context.repo);
  const count = rounds(context, 5, 2);
  context.log(`enable all vs the documented procedure: ${count} rounds in turns (+1 warm-up), reset before each run …`);
  const again: Again[] = [];
  const samples = await inTurns<Sample>(
    [
      {
        label: 'plugin',
        run: async () => {
          const sample = await pluginRun(context);
          again.push(await pluginAgain(context));
          return sample;
        },
      },
      { label: 'guide', run: () => guideRun(guide, context) },
      { label: 'guide, cold cache', run: () => guideRun(guide, context, true) },
    ],
    count,
    1,
  );
  await sim.reset();
  const plugin = samples.get('plugin')!;
  const manual = samples.get('guide')!;
  const cold = samples.get('guide, cold cache')!;
  const againMeasured = again.slice(-count);
  const med = (values: Sample[], pick: (s: Sample) => number) => median(values.map(pick));
  const p = {
    wall: med(plugin, (s) => s.wallMs),
    wait: med(plugin, (s) => s.waitMs),
    work: med(plugin, (s) => s.wallMs - s.waitMs),
    requests: med(plugin, (s) => s.requests),
    waitRequests: med(plugin, (s) => s.waitRequests),
    reviews: med(plugin, (s) => s.reviews),
    reads: med(plugin, (s) => s.requests - s.waitRequests - s.reviews - s.writes),
    writes: med(plugin, (s) => s.writes),
    gap: Math.max(...plugin.map((s) => s.dnsGapMs)),
    margin: median(margins(plugin)),
    marginMin: Math.min(...margins(plugin)),
  };
  const c = { wall: med(cold, (s) => s.wallMs), requests: med(cold, (s) => s.requests), reads: med(cold, (s) => s.requests - s.reviews - s.writes), writes: med(cold, (s) => s.writes) };
  const g = {
    wall: med(manual, (s) => s.wallMs),
    requests: med(manual, (s) => s.requests),
    writes: med(manual, (s) => s.writes),
    reviews: med(manual, (s) => s.reviews),
    reads: med(manual, (s) => s.requests - s.reviews - s.writes),
    settle: med(manual, (s) => s.settleMs),
    gap: med(manual, (s) => s.dnsGapMs),
    gapMax: Math.max(...manual.map((s) => s.dnsGapMs)),
    gapRuns: manual.filter((s) => s.dnsGapMs > 0).length,
    margin: median(margins(manual)),
    marginMin: Math.min(...margins(manual)),
  };
  const failures = new Map<string, string>();
  for (const sample of manual) for (const c of sample.commands ?? []) if (c.code !== 0) failures.set(c.command, `exit ${c.code}: ${c.stderr.split('\n')[0]}`);

  const workRatio = g.wall / p.work;
  const againWrites = Math.max(...againMeasured.map((a) => a.writes));
  const perCommand = guide.commands.map((command, index) => {
    const runs = manual.map((s) => s.commands![index]!);
    return [`\`${command.length > 90 ? `${command.slice(0, 87)}…` : command}\``, seconds(median(runs.map((r) => r.ms))), median(runs.map((r) => r.requests)), median(runs.map((r) => r.writes)), runs.every((r) => r.code === 0) ? 'ok' : 'FAILED'];
  });

  return [
    '## 3. `enable all` from the seeded state beside the documented procedure',
    '',
    `${count} runs of each side in turns after one warm-up round, \`sim.reset()\` before every run. The plugin is \`dist/kubectl-kapsule_ha enable all --yes\`; the guide is its ${guide.commands.length} commands from "cilium-operator" to "cluster autoscaling consideration" (the optional pool pinning excluded, as \`enable all\` pins nothing unless given \`--pools\`), read from \`${'../shared/reference/kapsule-scale-internals/README.md'}\` and run verbatim by \`bash -c\` in that folder with ${context.anchors.standalone.label} built alone (the anchor), its discovery and OpenAPI cache warm (the warm-up round fills it: the kindest case for kubectl; a third column gives each command an empty cache, as a CI job or a fresh container would). Requests are counted from the audit log by user agent (\`kubectl-kapsule_ha/\`, \`kubectl/\`). The plugin runs with \`-v 6\`: each wait runs from its \`wait started\` log line to its \`… (0.2s)\` line; waiting time is when it only waited (no request of its own in flight, components wait side by side); requests received within a wait are its watches.`,
    '',
    table(
      ['median of runs', 'plugin', 'guide', 'guide ÷ plugin', 'guide, cold kubectl cache', '÷ plugin', 'target'],
      [
        ['wall time, s', seconds(p.wall), seconds(g.wall), ratio(g.wall, p.wall), seconds(c.wall), ratio(c.wall, p.wall), ''],
        ['— own work, s', seconds(p.work), seconds(g.wall), ratio(g.wall, p.work), seconds(c.wall), ratio(c.wall, p.work), context.target('3. enable all: wall time of own work, guide ÷ plugin', `${seconds(g.wall)} s ÷ ${seconds(p.work)} s = ${ratio(g.wall, p.work)}`, '≥ 3×', workRatio >= 3)],
        ['— waiting for pods, s', seconds(p.wait), '0 (it does not wait)', '', '0', '', ''],
        ['API requests', p.requests, g.requests, ratio(g.requests, p.requests), c.requests, ratio(c.requests, p.requests), 'reported, not judged: round trips are (9)'],
        ['— access reviews (SelfSubjectAccessReview: the preflight)', p.reviews, g.reviews, '', 0, '', ''],
        ['— reads (get, list; kubectl: discovery, OpenAPI, objects)', p.reads, g.reads, ratio(g.reads, p.reads), c.reads, ratio(c.reads, p.reads), ''],
        ['— writes (create, patch, delete)', p.writes, g.writes, ratio(g.writes, p.writes), c.writes, ratio(c.writes, p.writes), ''],
        ['— polls while waiting for pods', p.waitRequests, '0 (it does not wait)', '', 0, '', ''],
        ['after the last command, until the copies are rolled out, s', '0 (waited for)', Number.isNaN(g.settle) ? 'not within 1 min' : seconds(g.settle), '', '', '', ''],
        ['kube-dns with no ready endpoint, ms (max of runs for the plugin)', p.gap.toFixed(0), `${g.gap.toFixed(0)} (max ${g.gapMax.toFixed(0)}, in ${g.gapRuns}/${manual.length} runs)`, '', '', '', ''],
        ["original coredns scaled to 0 after its copy's first Ready endpoint, ms (negative: before)", `${showMargin(p)}: never below 0, it waits`, `${showMargin(g)}: timing only, it does not wait`, '', '', '', ''],
      ],
    ),
    '',
    "**The guide does not wait at all.** It scales `coredns` and `metrics-server` to 0 a few hundred milliseconds after creating their copies, whether or not the copies are Ready: on a real cluster (image pull, readiness probe) that is a window with no DNS server. The simulator makes a pod Ready as soon as it is bound (kwok), which hides most of that window; the rows above are what a watch on kube-dns's EndpointSlices saw here: the guide's margin is the time between the copy's first Ready endpoint and the `scale --replicas=0` of the original, so a copy pod needing longer than that to become Ready (image pull, readiness probe: seconds on a real node) leaves the cluster without DNS. `enable` never scales an original down before its copy's pods are Ready endpoints of the Service, which is the waiting time in its column.",
    '',
    "Not the same end state, though: the guide's `coredns-ha` keeps the original's single replica and relies on the cluster-proportional-autoscaler it installs to raise it; no container runs on the simulator, so here it stays at 1 (on a real cluster it would grow a moment later). `enable` sets the replicas the autoscaler would choose (3 here, one per zone) and waits for them. The guide also leaves the copies' pods free to share a node or zone until the autoscaler acts, and adds no PodDisruptionBudget for coredns.",
    '',
    failures.size === 0
      ? `Every command of the guide succeeded on the simulator's real API server v1.35.4 in every run (including \`kubectl get -oyaml | sed | kubectl apply -f -\` of objects that carry resourceVersion, uid and the original's last-applied annotation: kubectl apply's create path accepts them). Nothing had to be scripted around.`
      : `Commands of the guide that failed on the real API server (recorded, then the next command ran, as a person pasting them would): ${[...failures].map(([c, e]) => `\`${c}\` (${e})`).join('; ')}.`,
    '',
    'The guide, command by command (median of runs):',
    '',
    table(['command', 's', 'requests', 'writes', ''], perCommand),
    '',
    '## 4. A second `enable all`',
    '',
    table(
      ['median of runs', 'value', 'target'],
      [
        ['wall time, s', seconds(median(againMeasured.map((a) => a.wallMs))), ''],
        ['API requests', median(againMeasured.map((a) => a.requests)), ''],
        ['writes (max of runs)', againWrites, context.target('4. second enable all: writes', String(againWrites), '= 0', againWrites === 0)],
      ],
    ),
    '',
  ].join('\n');
}
