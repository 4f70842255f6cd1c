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
    list: (_apiVersion, kind) => arrive(kind === 'Node' ? kapsuleNodes() : kind === 'PodDisruptionBudget' ? [pdb] : []),
  } as Partial<KubeClient> as KubeClient;
  return { client, calls: () => calls };
}

describe('readSnapshot', () => {
  it('reads nodes, PDBs and every object of all recipes in one concurrent round', async () => {
    const recipes = Object.values(RECIPES);
    // PodDisruptionBudgets come from the list of the namespace, not one read each.
    const refs = new Set(
      recipes.flatMap((recipe) => recipe.refs('kube-system').filter((ref) => ref.kind !== 'PodDisruptionBudget').map((ref) => `${ref.kind}/${ref.name}`)),
    );
    const { client, calls } = barrierClient(refs.size + 2);
    const snapshot = await Promise.race([
      readSnapshot(client, 'kube-system', recipes),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('reads did not overlap')), 2000)),
    ]);
    expect(calls()).toBe(refs.size + 2);
    expect(snapshot.view.nodes).toHaveLength(9);
    expect(snapshot.view.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns' })?.metadata.name).toBe('coredns');
    expect(snapshot.view.get({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: 'kube-system', name: 'coredns-ha' })).toBe(pdb);
    expect(snapshot.view.get({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: 'kube-system', name: 'metrics-server-ha' })).toBeUndefined();
  });
});
