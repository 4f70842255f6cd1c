import { describe, expect, it } from 'vitest';
import { readSnapshot } from '../../../src/engine/read.ts';
import type { KubeClient, KubeObject } from '../../../src/kube/types.ts';
import { RECIPES } from '../../../src/recipes/index.ts';
import { kapsuleNodes, seededObjects } from '../../lib/fixtures.ts';

const pdb: KubeObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'coredns-ha', namespace: 'kube-system' } };

/**
 * A client whose answers are held back until every request of the round has been made:
 * reads issued one after another would never complete. Not an API server: it only tells
 * whether our reads overlap.
 */
function barrierClient(expected: number): { client: KubeClient; calls: () => number } {
  let calls = 0;
  let open: () => void = () => {};
  const allIn = new Promise<void>((resolve) => (open = resolve));
  const arrive = async <T>(value: T): Promise<T> => {
    if (++calls === expected) open();
    await allIn;
    return value;
  };
  const objects = seededObjects();
  const client = {
    get: (ref) => arrive(objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name) as KubeObject | undefined),
    list: (_apiVersion, kind) => arrive(kind === 'Node' ? kapsuleNodes() : kind === 'PodDisruptionBudget' ? [pdb] : objects.filter((o) => o.kind === kind)),
  } as Partial<KubeClient> as KubeClient;
  return { client, calls: () => calls };
}

describe('readSnapshot', () => {
  it('reads nodes, PDBs and every object of all recipes in one concurrent round', async () => {
    const recipes = Object.values(RECIPES);
    // PodDisruptionBudgets, Deployments and Services come from one list of the namespace each, not one read each.
    const listed = new Set(['PodDisruptionBudget', 'Deployment', 'Service']);
    const refs = new Set(
      recipes.flatMap((recipe) => recipe.refs('kube-system').filter((ref) => !listed.has(ref.kind)).map((ref) => `${ref.kind}/${ref.name}`)),
    );
    const { client, calls } = barrierClient(refs.size + 1 + listed.size);
    const snapshot = await Promise.race([
      readSnapshot(client, 'kube-system', recipes),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('reads did not overlap')), 2000)),
    ]);
    expect(calls()).toBe(refs.size + 1 + listed.size);
    // 13: was 18 (six Deployments and two Services read one by one), 12 once listed, then metrics-server's APIService.
    expect(refs.size + 1 + listed.size).toBe(13);
    expect(snapshot.view.nodes).toHaveLength(9);
    expect(snapshot.view.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns' })?.metadata.name).toBe('coredns');
    expect(snapshot.view.get({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: 'kube-system', name: 'coredns-ha' })).toBe(pdb);
    expect(snapshot.view.get({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: 'kube-system', name: 'metrics-server-ha' })).toBeUndefined();
    expect(snapshot.view.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns-ha' })).toBeUndefined();
    // A listed object that does not exist is known to be missing (the plan creates it), as a 404 said before.
    expect(snapshot.live.has('apps/v1/Deployment/kube-system/coredns-ha')).toBe(true);
  });
});
