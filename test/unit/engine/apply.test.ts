import { describe, expect, it } from 'vitest';
import { applyPlan, applyPlans, type ApplyEvent } from '../../../src/engine/apply.ts';
import { plan } from '../../../src/engine/plan.ts';
import { InterruptedError } from '../../../src/cli/errors.ts';
import { KubeApiError } from '../../../src/kube/errors.ts';
import type { KubeClient, KubeObject, ObjectRef } from '../../../src/kube/types.ts';
import { ciliumOperator } from '../../../src/recipes/cilium-operator.ts';
import { coredns } from '../../../src/recipes/coredns.ts';
import { FakeCluster } from '../../lib/fixtures.ts';

/**
 * Records the writes it is asked for, and how many were in flight at once; its watches
 * deliver nothing until aborted. Not an API server, only a witness of the order.
 */
function recordingClient(refuse?: (ref: ObjectRef) => boolean): { client: KubeClient; writes: string[]; mostInFlight: () => number } {
  const writes: string[] = [];
  let inFlight = 0;
  let most = 0;
  const answer = async <T>(line: string, ref: ObjectRef, value: T): Promise<T> => {
    writes.push(line);
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    if (refuse?.(ref)) throw new KubeApiError(403, 'Forbidden', `refused ${line}`);
    return value;
  };
  const client = {
    create: (object: KubeObject) => answer(`create ${object.kind}/${object.metadata.name}`, { ...object, name: object.metadata.name } as ObjectRef, object),
    patch: (ref: ObjectRef) => answer(`patch ${ref.kind}/${ref.name}`, ref, {} as KubeObject),
    watch: (_apiVersion: string, _kind: string, _options: unknown, _onEvent: unknown, signal: AbortSignal) =>
      new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
  } as Partial<KubeClient> as KubeClient;
  return { client, writes, mostInFlight: () => most };
}

describe('applyPlan', () => {
  it('sends a stage\'s writes together, what pods and bindings refer to one round before the Deployments and bindings', async () => {
    const cluster = new FakeCluster();
    const enable = plan(coredns.enable(cluster.view(), {}), cluster.live());
    const { client, writes, mostInFlight } = recordingClient();
    const interrupt = new AbortController();
    const run = applyPlan(client, enable, {
      dryRun: 'none',
      deadline: Number.POSITIVE_INFINITY,
      signal: interrupt.signal,
      // Ctrl-C once the wait has begun: the original must not be touched.
      onEvent: (event) => {
        if (event.type === 'wait-started') interrupt.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ exitCode: 130, message: expect.stringMatching(/^interrupted: stopped before waiting for deployment\/coredns-ha Available/) });
    const secondRound = (line: string) => /^create (Deployment|RoleBinding|ClusterRoleBinding)\//.test(line);
    expect(writes.filter(secondRound)).toHaveLength(4);
    // The ServiceAccount, Roles and ConfigMaps went together, before any Deployment or binding.
    const first = writes.findIndex(secondRound);
    expect(writes.slice(0, first).sort()).toEqual(writes.filter((line) => !secondRound(line)).sort());
    expect(writes.slice(0, first)).toEqual(expect.arrayContaining(['create ServiceAccount/kube-dns-autoscaler', 'create ClusterRole/kapsule-ha:kube-dns-autoscaler', 'create Role/kube-dns-autoscaler', 'create ConfigMap/coredns-ha']));
    expect(mostInFlight()).toBe(first);
    expect(writes).not.toContain('patch Deployment/coredns');
  });

  it('stops before the next step on Ctrl-C, exit 130, the writes already sent answered first', async () => {
    const cluster = new FakeCluster();
    const enable = plan(coredns.enable(cluster.view(), {}), cluster.live());
    const { client, writes } = recordingClient();
    const interrupt = new AbortController();
    const run = applyPlan(client, enable, {
      dryRun: 'none',
      deadline: Number.POSITIVE_INFINITY,
      signal: interrupt.signal,
      onEvent: (event) => {
        if (event.type === 'wrote') interrupt.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ exitCode: 130, message: expect.stringMatching(/^interrupted: stopped before create deployment\/coredns-ha in namespace kube-system and 3 more writes;/) });
    expect(writes.some((line) => line.startsWith('create Deployment/'))).toBe(false);
  });
});

describe('applyPlans', () => {
  it('when one component fails, the others stop at their next safe point and the first failure is raised', async () => {
    const cluster = new FakeCluster();
    const plans = [plan(coredns.enable(cluster.view(), {}), cluster.live()), plan(ciliumOperator.enable(cluster.view(), {}), cluster.live())];
    // cilium-operator's patch is refused while coredns waits for its copy.
    const { client, writes } = recordingClient((ref) => ref.name === 'cilium-operator');
    const events: ApplyEvent[] = [];
    const run = applyPlans(client, plans, { dryRun: 'none', deadline: Number.POSITIVE_INFINITY, onEvent: (event) => events.push(event) });
    await expect(run).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/refused patch Deployment\/cilium-operator; stopped at patch deployment\/cilium-operator/) });
    expect(events.filter((event) => event.type === 'stopped')).toEqual([
      expect.objectContaining({ component: 'coredns', because: 'cilium-operator', before: expect.stringMatching(/^(create|waiting for) /) }),
    ]);
    expect(writes).not.toContain('patch Deployment/coredns');
  });

  it('Ctrl-C during the wait for the copy says where it stopped, even when it breaks off a watch', async () => {
    const cluster = new FakeCluster();
    const enable = plan(coredns.enable(cluster.view(), {}), cluster.live());
    const { client, writes } = recordingClient();
    const interrupt = new AbortController();
    // As the real client: a watch broken off by Ctrl-C fails with InterruptedError.
    Object.assign(client, {
      watch: (_apiVersion: string, _kind: string, _options: unknown, _onEvent: unknown, signal: AbortSignal) =>
        new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new InterruptedError('interrupted while waiting for the API server')), { once: true })),
    });
    const onEvent = (event: ApplyEvent) => {
      if (event.type === 'wait-started') interrupt.abort();
    };
    const run = applyPlan(client, enable, { dryRun: 'none', deadline: Number.POSITIVE_INFINITY, signal: interrupt.signal, onEvent });
    await expect(run).rejects.toMatchObject({ exitCode: 130, message: expect.stringMatching(/^interrupted: stopped before waiting for deployment\/coredns-ha .*Re-run to continue\.$/) });
    expect(writes.some((write) => write.startsWith('patch'))).toBe(false);
  });
});
