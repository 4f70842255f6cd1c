// Fleet runs over two live simulators (the second one drifted by a Kapsule upgrade), a
// context whose server refuses connections and one that accepts them but never answers.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { plugin, sim } from '../lib/plugin.ts';
import { adminOf, localContext, secondSim, secondSimEnv, writeKubeconfig } from '../lib/second-sim.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const first = sim.info();
const second = (operation: Parameters<typeof secondSim>[1]) => secondSim(first.stateDir, operation);

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

/** The FleetReport example of docs/output.md, parsed: the schema the output must follow. */
function documentedFleetReport(): any {
  const doc = readFileSync(path.join(repo, 'docs/output.md'), 'utf8');
  const block = /^## .*`kind: FleetReport`[\s\S]*?```yaml\n([\s\S]*?)```/m.exec(doc);
  if (!block) throw new Error('docs/output.md has no FleetReport section with a yaml example');
  return parse(block[1]!);
}

const keys = (value: object) => Object.keys(value).sort();

describe('fleet runs: --contexts and --all-contexts', () => {
  let kubeconfig: string;
  let hung: Server;
  const fleet = (args: string[]) => plugin(args, { env: { KUBECONFIG: kubeconfig } });

  beforeAll(async () => {
    await Promise.all([sim.reset(), second('up').then(() => second('reset'))]);
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    hung = createServer(() => undefined); // accepts, never answers
    const hungPort = await listen(hung);
    const live = [adminOf(first.kubeconfig, 'sim-a'), adminOf(path.join(secondSimEnv(first.stateDir).KAPSULE_HA_SIM_DIR!, 'kubeconfig'), 'sim-b')];
    kubeconfig = path.join(mkdtempSync(path.join(tmpdir(), 'kapsule-ha-fleet-')), 'config');
    writeKubeconfig(kubeconfig, [...live, localContext('dead', closedPort)]);
    writeKubeconfig(`${kubeconfig}-hung`, [...live, localContext('hung', hungPort)]);
    for (const context of ['sim-a', 'sim-b']) {
      const enabled = await fleet(['enable', 'all', '--yes', '--context', context]);
      if (enabled.code !== 0) throw new Error(`enable all on ${context} failed: ${enabled.stderr}`);
    }
    await second('upgrade');
  });

  afterAll(async () => {
    hung?.close();
    await second('down');
  });

  it('check-drift --all-contexts reports each cluster, the dead one in one line, exit 3 and the summary', async () => {
    const result = await fleet(['check-drift', '--all-contexts']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toBe(''); // piped: no progress
    const groups = result.stdout.split(/^=== /m).slice(1);
    expect(groups.map((group) => group.split(' ')[0])).toEqual(['sim-a', 'sim-b', 'dead']);
    expect(groups[0]).toContain('cilium-operator: in sync\ncoredns: in sync\nmetrics-server: in sync\n');
    expect(groups[1]).toMatch(/coredns: deployment\.apps\/coredns-ha containers\[coredns\]\.image: original \S+:v1\.12\.4 → copy \S+:v1\.12\.1 \(repair: kubectl kapsule-ha enable coredns --context sim-b\)/);
    expect(groups[1]).toContain('(repair: kubectl kapsule-ha enable metrics-server --context sim-b)');
    const dead = groups[2]!.split('\n').filter((line) => line.startsWith('error: '));
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatch(/^error: cannot connect to the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+: connection refused/);
    const table = result.stdout.slice(result.stdout.indexOf('CONTEXT ')).split('\n');
    expect(table[0]).toMatch(/^CONTEXT\s+SERVER\s+CILIUM-OPERATOR\s+COREDNS\s+METRICS-SERVER\s+DRIFT$/);
    // The form and zones of each component as `status` of that one cluster reports them.
    const alone = JSON.parse((await fleet(['status', '--context', 'sim-a', '-o', 'json'])).stdout);
    const cells = alone.components.map((c: any) => `${c.form === 'ha' ? 'HA' : 'original'} ${c.zones.length}/${alone.cluster.zones.length}`);
    expect(cells[1]).toBe('HA 3/3'); // coredns-ha: one pod per zone
    expect(table[1]).toMatch(new RegExp(`^sim-a\\s+https://127\\.0\\.0\\.1:\\d+\\s+${cells.join('\\s+')}\\s+0$`));
    expect(table[2]).toMatch(/^sim-b\s+https:\/\/127\.0\.0\.1:\d+\s+HA \d\/3\s+HA \d\/3\s+HA \d\/3\s+[1-9]\d*$/);
    expect(table[3]).toMatch(/^dead\s+https:\/\/127\.0\.0\.1:\d+\s+error: cannot connect/);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('3 contexts: 1 in sync, 1 with drift (sim-b), 1 could not be checked (dead)');
  });

  it('-o json is one FleetReport that follows the documented schema; exit 1 when every cluster answered', async () => {
    const result = await fleet(['check-drift', '--contexts', 'sim-a,sim-b', '-o', 'json']);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout);
    const schema = documentedFleetReport();
    expect(keys(report)).toEqual(keys(schema));
    expect(report).toMatchObject({ apiVersion: 'kapsule-ha/v1', kind: 'FleetReport', verb: 'check-drift', differs: true, failed: [] });
    const [ok, error] = [schema.contexts.find((e: any) => e.status === 'ok'), schema.contexts.find((e: any) => e.status === 'error')];
    for (const entry of report.contexts) {
      expect(keys(entry)).toEqual(keys(ok));
      for (const component of entry.components) expect(keys(component)).toEqual(keys(ok.components[0]));
      expect(entry.result).toMatchObject({ apiVersion: 'kapsule-ha/v1', kind: 'DriftReport' });
    }
    expect(report.contexts.map((e: any) => [e.context, e.differs])).toEqual([['sim-a', false], ['sim-b', true]]);
    const coredns = report.contexts[1].result.components.find((c: any) => c.component === 'coredns');
    expect(coredns.findings.map((f: any) => f.repair)).toContain('kubectl kapsule-ha enable coredns --context sim-b');

    const withDead = JSON.parse((await fleet(['status', '--contexts', 'sim-*,dead', '-o', 'json'])).stdout);
    expect(withDead.contexts.map((e: any) => e.context)).toEqual(['sim-a', 'sim-b', 'dead']);
    expect(withDead.failed).toEqual(['dead']);
    expect(keys(withDead.contexts[2])).toEqual(keys(error));
    expect(withDead.contexts[0].result).toMatchObject({ kind: 'Status', cluster: { nodes: 9 } });
  });

  it('a cluster that never answers is cut at --context-timeout; the others are still reported', async () => {
    const result = await plugin(['status', '--all-contexts', '--context-timeout', '10s', '-o', 'json'], { env: { KUBECONFIG: `${kubeconfig}-hung` } });
    expect(result.code, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.contexts.map((e: any) => e.status)).toEqual(['ok', 'ok', 'error']);
    expect(report.contexts[2]).toMatchObject({ context: 'hung', error: 'no result within 10s (--context-timeout)' });
  });

  it('diff over the fleet shows each cluster and counts the objects enable would change', async () => {
    const result = await fleet(['diff', '--contexts', 'sim-a,sim-b']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/=== sim-a \(.*\) ===\nno differences: enable would change nothing\n/);
    expect(result.stdout).toMatch(/=== sim-b [\s\S]*^\+\+\+ merged\/apps\.v1\.Deployment\.kube-system\.coredns-ha/m);
    expect(result.stdout).toMatch(/^CONTEXT\s+SERVER\s+CILIUM-OPERATOR\s+COREDNS\s+METRICS-SERVER\s+CHANGES$/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('2 contexts: 1 would change nothing, 1 would change (sim-b)');
  });

  it('bad combinations are usage errors in one line: --context with --contexts, enable or disable over a fleet', async () => {
    for (const args of [
      ['check-drift', '--context', 'sim-a', '--all-contexts'],
      ['status', '--contexts', 'sim-a', '--all-contexts'],
      ['check-drift', '--contexts', 'nowhere'],
      ['enable', 'all', '--yes', '--all-contexts'],
      ['disable', 'all', '--yes', '--contexts', 'sim-a,sim-b'],
    ]) {
      const result = await fleet(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect((await fleet(['enable', 'all', '--all-contexts'])).stderr).toMatch(/one cluster at a time/);
  });
});
