import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../src/cli/parse.ts';
import { parseDuration } from '../../src/cli/values.ts';

function optionsOf(args: string[]): Record<string, unknown> {
  const invocation = parseInvocation(args, 'kubectl kapsule-ha', 100);
  if (invocation.kind !== 'verb') throw new Error(`expected a verb, got output:\n${invocation.text}`);
  return invocation.command.options(invocation.argv) as Record<string, unknown>;
}

describe('flag parsing', () => {
  it('enable gets kubectl-like defaults and the documented tuning defaults', () => {
    expect(optionsOf(['enable', 'coredns'])).toEqual({
      kubeconfig: undefined,
      context: undefined,
      cluster: undefined,
      user: undefined,
      namespace: 'kube-system',
      requestTimeoutMs: 0,
      verbosity: 0,
      color: 'auto',
      output: 'text',
      components: ['coredns'],
      // Left out: keep what the last enable set, else the recipe's default.
      replicas: undefined,
      pools: undefined,
      coresPerReplica: undefined,
      nodesPerReplica: undefined,
      minReplicas: undefined,
      maxReplicas: undefined,
      force: false,
      yes: false,
      dryRun: 'none',
      timeoutMs: 300_000,
    });
  });

  it('"all" expands to every component, in one stable order, without duplicates', () => {
    expect(optionsOf(['enable', 'metrics-server', 'all', 'coredns']).components).toEqual(['cilium-operator', 'coredns', 'metrics-server']);
    expect(optionsOf(['disable', 'metrics-server', 'coredns', 'coredns']).components).toEqual(['coredns', 'metrics-server']);
  });

  it('status, check-drift and diff look at every component when none is named', () => {
    for (const verb of ['status', 'check-drift', 'diff']) {
      expect(optionsOf([verb]).components).toEqual(['cilium-operator', 'coredns', 'metrics-server']);
    }
  });

  it('--pools takes a comma-separated list; --pools "" and --unpin both mean "remove the pinning"', () => {
    expect(optionsOf(['enable', 'all', '--pools', 'default,infra']).pools).toEqual(['default', 'infra']);
    expect(optionsOf(['enable', 'all', '--pools=a', '--pools=b']).pools).toEqual(['b']);
    expect(optionsOf(['enable', 'all', '--pools', '']).pools).toEqual([]);
    expect(optionsOf(['enable', 'all', '--unpin']).pools).toEqual([]);
  });

  it('global flags are read wherever they appear, as kubectl reads them', () => {
    const options = optionsOf(['--context', 'prod', 'status', '-n', 'other', '--request-timeout=30s', '-v', '6', '--color', 'never', '-o', 'json']);
    expect(options).toMatchObject({ context: 'prod', namespace: 'other', requestTimeoutMs: 30_000, verbosity: 6, color: 'never', output: 'json' });
  });

  it('a bare --dry-run means client, as it did in kubectl; server is passed through', () => {
    expect(optionsOf(['enable', 'all', '--dry-run']).dryRun).toBe('client');
    expect(optionsOf(['enable', 'all', '--dry-run=server']).dryRun).toBe('server');
  });

  it('enable takes the autoscaler parameters, diff takes enable\'s options plus --disable', () => {
    expect(optionsOf(['enable', 'coredns', '--cores-per-replica', '128', '--nodes-per-replica', '8', '--min-replicas', '2', '--max-replicas', '6', '--force', '-y'])).toMatchObject({
      coresPerReplica: 128,
      nodesPerReplica: 8,
      minReplicas: 2,
      maxReplicas: 6,
      force: true,
      yes: true,
    });
    expect(optionsOf(['diff', 'coredns', '--pools', 'default', '--disable'])).toMatchObject({ pools: ['default'], disable: true, replicas: undefined });
  });

  it('durations accept the kubectl forms, and 0 means no limit', () => {
    expect(parseDuration('timeout', '30s')).toBe(30_000);
    expect(parseDuration('timeout', '5m')).toBe(300_000);
    expect(parseDuration('timeout', '1h')).toBe(3_600_000);
    expect(parseDuration('timeout', '1m30s')).toBe(90_000);
    expect(parseDuration('timeout', '500ms')).toBe(500);
    expect(parseDuration('timeout', '0')).toBe(0);
    expect(parseDuration('timeout', '45')).toBe(45_000);
  });
});
