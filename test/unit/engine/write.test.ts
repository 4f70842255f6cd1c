import { describe, expect, it } from 'vitest';
import type { DesiredObject } from '../../../src/engine/types.ts';
import { stepFor } from '../../../src/engine/plan.ts';
import { applyWrite } from '../../../src/engine/write.ts';
import type { KubeClient, KubeObject } from '../../../src/kube/types.ts';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns-ha' };
const deployment = (resourceVersion: number, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'coredns-ha', namespace: 'kube-system', resourceVersion: String(resourceVersion), labels: { 'app.kubernetes.io/managed-by': 'kubectl-kapsule-ha' } },
  spec: { template: { spec: { containers: [{ name: 'coredns', image }] } } },
});

/**
 * A Deployment whose status a controller keeps updating for `busyMs` (a rollout): every read
 * shows a newer resourceVersion, and a patch guarded by an older one fails as the API server
 * answers a failed `test` (422).
 */
function busyCluster(busyMs: number) {
  const until = Date.now() + busyMs;
  let version = 1;
  const patches: unknown[] = [];
  const kube = {
    async get() {
      if (Date.now() < until) version++;
      return deployment(version, 'old');
    },
    async patch(_ref: unknown, patch: { op: string; path: string; value?: unknown }[]) {
      if (Date.now() < until) version++;
      const guard = patch.find((op) => op.op === 'test' && op.path === '/metadata/resourceVersion');
      if (guard?.value !== String(version)) throw Object.assign(new Error('the server rejected our request due to an error in our request'), { status: 422 });
      patches.push(patch);
      return deployment(version, 'new');
    },
  } as unknown as KubeClient;
  return { kube, patches };
}

describe('a write that lost a race', () => {
  it('is planned again after a pause that grows, so a burst of status updates (a rollout) settles before it gives up', async () => {
    const desired: DesiredObject = { object: deployment(0, 'new'), ref, mode: 'subset', owned: true, purpose: 'the HA copy' };
    const { kube, patches } = busyCluster(1200);
    const step = stepFor(desired, deployment(1, 'old'));
    expect(step?.action).toBe('patch');
    const replanned: string[] = [];
    await applyWrite(kube, step as never, false, { wrote: () => undefined, replanned: (_step, reason) => replanned.push(reason) });
    expect(patches).toHaveLength(1);
    expect(replanned.length).toBeGreaterThan(0);
  });

  it('stops on Ctrl-C during the pause with exit 130, and writes nothing more', async () => {
    const desired: DesiredObject = { object: deployment(0, 'new'), ref, mode: 'subset', owned: true, purpose: 'the HA copy' };
    const { kube, patches } = busyCluster(60_000);
    const step = stepFor(desired, deployment(1, 'old'));
    const interrupt = new AbortController();
    const run = applyWrite(kube, step as never, false, { wrote: () => undefined, replanned: () => interrupt.abort() }, interrupt.signal);
    await expect(run).rejects.toMatchObject({ exitCode: 130, message: expect.stringMatching(/^interrupted: stopped before planning patch deployment\/coredns-ha .* again/) });
    expect(patches).toHaveLength(0);
  });
});
