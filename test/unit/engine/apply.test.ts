import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/engine/apply.ts';
import { plan } from '../../../src/engine/plan.ts';
import { InterruptedError } from '../../../src/cli/errors.ts';
import type { KubeClient, KubeObject } from '../../../src/kube/types.ts';
import { coredns } from '../../../src/recipes/coredns.ts';
import { FakeCluster } from '../fixtures.ts';

/** Records the writes it is asked for; not an API server, only a witness of the order. */
function recordingClient(): { client: KubeClient; writes: string[] } {
  const writes: string[] = [];
  const client = {
    create: async (object: KubeObject) => (writes.push(`create ${object.kind}/${object.metadata.name}`), object),
    patch: async (ref: { kind: string; name: string }) => (writes.push(`patch ${ref.kind}/${ref.name}`), {} as KubeObject),
  } as Partial<KubeClient> as KubeClient;
  return { client, writes };
}

describe('applyPlan', () => {
  it('stops before the next step on Ctrl-C, exit 130, with the original still serving', async () => {
    const cluster = new FakeCluster();
    const enable = plan(coredns.enable(cluster.view(), {}), cluster.live());
    const { client, writes } = recordingClient();
    const interrupt = new AbortController();
    const run = applyPlan(client, enable, {
      dryRun: 'none',
      deadline: Number.POSITIVE_INFINITY,
      signal: interrupt.signal,
      onEvent: (event) => {
        if (event.type === 'wrote' && writes.length === 2) interrupt.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ exitCode: 130, message: expect.stringMatching(/^interrupted: stopped before create poddisruptionbudget\/coredns-ha/) });
    expect(writes).toEqual(['create ConfigMap/coredns-ha', 'create Deployment/coredns-ha']);
  });

  it('Ctrl-C during the wait for the copy says where it stopped, even when it breaks off a read', async () => {
    const cluster = new FakeCluster();
    const enable = plan(coredns.enable(cluster.view(), {}), cluster.live());
    const { client, writes } = recordingClient();
    const interrupt = new AbortController();
    let reads = 0;
    // As the real client: a read under an aborted signal fails with InterruptedError.
    const read = async () => {
      if (++reads === 2) interrupt.abort();
      if (interrupt.signal.aborted) throw new InterruptedError('interrupted while waiting for the API server');
      return undefined;
    };
    Object.assign(client, { create: async (object: KubeObject) => (writes.push(`create ${object.kind}/${object.metadata.name}`), object), get: read, list: read });
    const run = applyPlan(client, enable, { dryRun: 'none', deadline: Number.POSITIVE_INFINITY, signal: interrupt.signal, onEvent: () => {} });
    await expect(run).rejects.toMatchObject({ exitCode: 130, message: expect.stringMatching(/^interrupted: stopped before waiting for deployment\/coredns-ha .*Re-run to continue\.$/) });
    expect(writes.some((write) => write.startsWith('patch'))).toBe(false);
  });
});
