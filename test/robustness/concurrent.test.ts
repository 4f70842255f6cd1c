import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOffset, kubeSystem, plugin, pluginRequests, sim } from '../lib/plugin.ts';
import { spawnPlugin, startProxy } from '../lib/robustness.ts';

const COPY_PATH = '/apis/apps/v1/namespaces/kube-system/deployments/coredns-ha';

describe('another client writes between our read and our write', () => {
  beforeAll(async () => {
    await sim.reset();
    const enabled = await plugin(['enable', 'coredns', '--yes']);
    if (enabled.code !== 0) throw new Error(`enable coredns failed: ${enabled.stderr}`);
  });

  afterAll(() => sim.reset());

  it('a copy changed under our PATCH is read and planned again: their annotation and scale survive, our pool pinning lands', async () => {
    let raced = 0;
    const proxy = await startProxy({ seed: 1 }, {
      async before(_, method, path) {
        if (method !== 'PATCH' || !path.startsWith(COPY_PATH) || path.startsWith(`${COPY_PATH}/`) || raced > 0) return;
        raced++;
        // The other writer: a person annotating, the autoscaler scaling, both before our patch arrives.
        const annotated = await sim.kubectl(['annotate', 'deployment/coredns-ha', '-n', 'kube-system', 'example.com/owner=team-dns']);
        const scaled = await sim.kubectl(['scale', 'deployment/coredns-ha', '-n', 'kube-system', '--replicas=4']);
        if (annotated.code !== 0 || scaled.code !== 0) throw new Error(annotated.stderr + scaled.stderr);
      },
    });
    try {
      const offset = auditOffset();
      const result = await spawnPlugin(['enable', 'coredns', '--pools', 'default', '--yes'], proxy.kubeconfig).done;
      expect(result.code, result.stderr).toBe(0);
      expect(raced).toBe(1);
      expect(result.stderr).toMatch(/deployment\.apps\/coredns-ha changed since it was read; planning it again/);

      // The first patch was refused by its resourceVersion test; re-planned from fresh reads
      // (the controller keeps bumping the status of a Deployment being scaled, so it may take
      // a few), the last one applied.
      const patches = (await pluginRequests(offset)).all.filter((e) => e.verb === 'patch' && e.objectRef?.resource === 'deployments' && e.objectRef?.name === 'coredns-ha' && !e.objectRef?.subresource);
      const codes = patches.map((e) => e.responseStatus?.code);
      expect(codes.length, String(codes)).toBeGreaterThanOrEqual(2);
      expect(codes.length, String(codes)).toBeLessThanOrEqual(6);
      expect(codes.slice(0, -1).every((code) => code === 422 || code === 409), String(codes)).toBe(true);
      expect(codes.at(-1)).toBe(200);

      const copy = await kubeSystem('deployment', 'coredns-ha');
      expect(copy.metadata.annotations['example.com/owner']).toBe('team-dns');
      // Their scale survives: spec.replicas is owned by the other writer (the test's kubectl, or
      // the real DNS autoscaler that the simulator runs and that may already have set its own
      // count since), never by our field manager: our re-planned patch did not write it.
      const withFields = await sim.kubectl(['get', 'deployment/coredns-ha', '-n', 'kube-system', '-o', 'json', '--show-managed-fields']);
      const managedFields = JSON.parse(withFields.stdout).metadata.managedFields ?? [];
      const replicasOwners = managedFields
        .filter((entry: any) => entry.fieldsV1?.['f:spec']?.['f:replicas'] !== undefined)
        .map((entry: any) => entry.manager);
      expect(replicasOwners).not.toContain('kubectl-kapsule-ha');
      expect(replicasOwners.length, JSON.stringify(managedFields)).toBeGreaterThan(0);
      const terms = copy.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
      expect(terms[0].matchExpressions[0]).toEqual({ key: 'k8s.scaleway.com/pool-name', operator: 'In', values: ['default'] });
      // Nothing left to do: a plain re-run writes nothing.
      const again = auditOffset();
      expect((await plugin(['enable', 'coredns', '--yes'])).code).toBe(0);
      expect((await pluginRequests(again)).writes).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('a field we own changed under our PATCH is set again from fresh state, not from the stale read', async () => {
    let raced = 0;
    const proxy = await startProxy({ seed: 2 }, {
      async before(_, method, path) {
        if (method !== 'PATCH' || path.split('?')[0] !== COPY_PATH || raced > 0) return;
        raced++;
        const changed = await sim.kubectl(['set', 'image', 'deployment/coredns-ha', '-n', 'kube-system', 'coredns=registry.example/coredns:tampered']);
        if (changed.code !== 0) throw new Error(changed.stderr);
      },
    });
    try {
      const result = await spawnPlugin(['enable', 'coredns', '--unpin', '--yes'], proxy.kubeconfig).done;
      expect(result.code, result.stderr).toBe(0);
      expect(raced).toBe(1);
      const copy = await kubeSystem('deployment', 'coredns-ha');
      const original = await kubeSystem('deployment', 'coredns');
      expect(copy.spec.template.spec.containers[0].image).toBe(original.spec.template.spec.containers[0].image);
      expect(copy.spec.template.spec.affinity?.nodeAffinity).toBeUndefined();
      expect(copy.metadata.annotations['example.com/owner']).toBe('team-dns');
      expect((await plugin(['check-drift', 'coredns'])).code).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('an object created by someone else between our read and our create is adopted by a re-plan, not duplicated', async () => {
    const disabled = await plugin(['disable', 'metrics-server', '--yes']);
    expect(disabled.code, disabled.stderr).toBe(0);
    let raced = 0;
    const proxy = await startProxy({ seed: 3 }, {
      async before(_, method, path) {
        if (method !== 'POST' || !path.includes('/poddisruptionbudgets') || raced > 0) return;
        raced++;
        // A second run of the plugin (same labels), a step ahead of us, with another budget.
        const pdb = {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'metrics-server-ha', namespace: 'kube-system', labels: { 'app.kubernetes.io/managed-by': 'kubectl-kapsule-ha' } },
          spec: { minAvailable: 2, selector: { matchLabels: { 'kapsule-ha/instance': 'metrics-server-ha' } } },
        };
        const created = await sim.kubectl(['create', '-f', '-'], { input: JSON.stringify(pdb) });
        if (created.code !== 0) throw new Error(created.stderr);
      },
    });
    try {
      const result = await spawnPlugin(['enable', 'metrics-server', '--yes'], proxy.kubeconfig).done;
      expect(result.code, result.stderr).toBe(0);
      expect(raced).toBe(1);
      expect(result.stderr).toMatch(/poddisruptionbudget\.policy\/metrics-server-ha changed since it was read; planning it again/);
      const pdb = await kubeSystem('pdb', 'metrics-server-ha');
      expect(pdb.spec.minAvailable).toBe(1);
      expect((await plugin(['check-drift', 'metrics-server'])).code).toBe(0);
    } finally {
      await proxy.stop();
    }
  });
});
