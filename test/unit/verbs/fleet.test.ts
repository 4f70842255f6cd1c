import { describe, expect, it } from 'vitest';
import { fleetReport, fleetText, verdict } from '../../../src/verbs/fleet-render.ts';
import { mapBounded, matchContexts } from '../../../src/verbs/fleet.ts';
import type { CheckedContext } from '../../../src/verbs/fleet-render.ts';
import { fleetSelectionFrom } from '../../../src/cli/fleet-flags.ts';

const summary = (differences: number) =>
  (['cilium-operator', 'coredns', 'metrics-server'] as const).map((component) => ({ component, form: 'ha' as const, zones: 3, clusterZones: 3, differences }));
const ok = (context: string, differences: number): CheckedContext => ({
  context,
  server: `https://${context}:6443`,
  status: 'ok',
  differs: differences > 0,
  components: summary(differences),
  result: {},
  text: `${context} report\n`,
});
const failed = (context: string): CheckedContext => ({ context, server: `https://${context}:6443`, status: 'error', error: 'connection refused' });

describe('matchContexts', () => {
  const known = ['prod-par', 'prod-ams', 'staging', 'dev'];
  it.each([
    [['prod-*'], ['prod-par', 'prod-ams']],
    [['staging', 'dev'], ['staging', 'dev']],
    [['dev', 'staging'], ['staging', 'dev']], // kubeconfig order
    [['*'], known],
    [['prod-???'], ['prod-par', 'prod-ams']],
    [['prod-*', 'prod-par'], ['prod-par', 'prod-ams']],
  ])('%j → %j', (patterns, expected) => {
    expect(matchContexts(patterns, known)).toEqual(expected);
  });

  it('refuses a name the kubeconfig lacks, and a pattern that matches nothing', () => {
    expect(() => matchContexts(['prod-par', 'prod-lon'], known)).toThrow(/context "prod-lon" not found in the kubeconfig/);
    expect(() => matchContexts(['qa-*'], known)).toThrow(/no context of the kubeconfig matches "qa-\*"/);
  });

  it('treats regex characters in names literally', () => {
    expect(matchContexts(['a.b'], ['a.b', 'axb'])).toEqual(['a.b']);
  });
});

describe('mapBounded', () => {
  it('never runs more than the limit at once, starts the next as one ends, and keeps the order of the items', async () => {
    const started: number[] = [];
    const finish = new Map<number, () => void>();
    const results = mapBounded([5, 1, 4, 2, 3], 2, (n) => {
      started.push(n);
      return new Promise<number>((resolve) => finish.set(n, () => resolve(n * 10)));
    });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    expect(started).toEqual([5, 1]);
    // Items end out of order; each end lets exactly one more start.
    for (const [ending, next] of [[1, [5, 1, 4]], [5, [5, 1, 4, 2]], [2, [5, 1, 4, 2, 3]], [4, [5, 1, 4, 2, 3]], [3, [5, 1, 4, 2, 3]]] as const) {
      finish.get(ending)!();
      await settle();
      expect(started).toEqual(next);
    }
    expect(await results).toEqual([50, 10, 40, 20, 30]);
  });
});

describe('fleet summary', () => {
  it.each([
    [[ok('a', 0), ok('b', 0)], '2 contexts: 2 in sync'],
    [[ok('a', 0), ok('b', 2)], '2 contexts: 1 in sync, 1 with drift (b)'],
    [[ok('a', 1), failed('c'), failed('d')], '3 contexts: 0 in sync, 1 with drift (a), 2 could not be checked (c, d)'],
    [[failed('c')], '1 context: 0 in sync, 1 could not be checked (c)'],
  ])('%#: %s', (entries, line) => {
    expect(verdict(fleetReport('check-drift', entries))).toBe(line);
  });

  it('the report keeps one entry per context, without the text, and names the failed ones', () => {
    const report = fleetReport('status', [ok('a', 1), failed('b')]);
    expect(report).toMatchObject({ apiVersion: 'kapsule-ha/v1', kind: 'FleetReport', verb: 'status', differs: true, failed: ['b'] });
    expect(report.contexts.map((entry) => Object.keys(entry).sort())).toEqual([
      ['components', 'context', 'differs', 'result', 'server', 'status'],
      ['context', 'error', 'server', 'status'],
    ]);
  });

  it('text: each context grouped, then the table and the verdict', () => {
    const entries = [ok('a', 0), ok('bb', 3), failed('c')];
    const text = fleetText(fleetReport('check-drift', entries), entries, ['cilium-operator', 'coredns', 'metrics-server']);
    expect(text).toBe(
      [
        '=== a (https://a:6443) ===',
        'a report',
        '',
        '=== bb (https://bb:6443) ===',
        'bb report',
        '',
        '=== c (https://c:6443) ===',
        'error: connection refused',
        '',
        'CONTEXT  SERVER           CILIUM-OPERATOR  COREDNS  METRICS-SERVER  DRIFT',
        'a        https://a:6443   HA 3/3           HA 3/3   HA 3/3          0',
        'bb       https://bb:6443  HA 3/3           HA 3/3   HA 3/3          9',
        'c        https://c:6443   error: connection refused',
        '(per component: its form, and zones with a Ready pod / zones of the cluster)',
        '3 contexts: 1 in sync, 1 with drift (bb), 1 could not be checked (c)',
        '',
      ].join('\n'),
    );
  });
});

describe('fleet flags', () => {
  it.each([
    [{ 'all-contexts': true }, { patterns: ['*'], parallel: 8, contextTimeoutMs: 60_000 }],
    [{ contexts: 'a, b,,prod-*' }, { patterns: ['a', 'b', 'prod-*'], parallel: 8, contextTimeoutMs: 60_000 }],
    [{ contexts: ['a', 'b,c'], parallel: 2, 'context-timeout': '2m' }, { patterns: ['a', 'b', 'c'], parallel: 2, contextTimeoutMs: 120_000 }],
    [{}, undefined],
  ])('%j', (argv, expected) => {
    expect(fleetSelectionFrom(argv)).toEqual(expected);
  });

  it.each([
    [{ 'all-contexts': true, contexts: 'a' }, /contradict/],
    [{ 'all-contexts': true, context: 'a' }, /--context names one cluster/],
    [{ contexts: 'a', user: 'u' }, /--user cannot be combined/],
    [{ contexts: ',' }, /at least one context/],
    [{ parallel: 4 }, /fleet runs only/],
    [{ contexts: 'a', parallel: 0 }, /--parallel/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => fleetSelectionFrom(argv)).toThrow(message);
  });
});
