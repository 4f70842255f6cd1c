import { beforeAll, describe, expect, it } from 'vitest';
import { auditOffset, plugin, pluginRequests, sim } from '../lib/plugin.ts';

describe('diff, check-drift and status before enable', () => {
  beforeAll(async () => {
    await sim.reset();
  });

  it('status shows single replicas in one zone, and only reads', async () => {
    const offset = auditOffset();
    const result = await plugin(['status']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/coredns: original — coredns 1\/1 ready; 1 Ready pod\(s\) in 1 zone\(s\)/);
    expect(result.stdout).toMatch(/warning: single replica/);
    expect((await pluginRequests(offset)).writes).toBe(0);
  });

  it('check-drift reports components that are not enabled, and exits 0', async () => {
    const result = await plugin(['check-drift']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      'cilium-operator: not enabled (nothing to compare)\ncoredns: not enabled (nothing to compare)\nmetrics-server: not enabled (nothing to compare)\n',
    );
  });

  it('diff shows what enable would create and exits 1', async () => {
    const result = await plugin(['diff', 'coredns']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^\+\+\+ merged\/apps\.v1\.Deployment\.kube-system\.coredns-ha/m);
    expect(result.stdout).toMatch(/^- {2}replicas: 1\n\+ {2}replicas: 0$/m);
  });
});

describe('diff, check-drift and status once enabled, and after a Kapsule upgrade', () => {
  beforeAll(async () => {
    await sim.reset();
    const enabled = await plugin(['enable', 'all', '--yes']);
    if (enabled.code !== 0) throw new Error(`enable all failed: ${enabled.stderr}`);
  });

  it('diff exits 0 when enable would change nothing, and only reads', async () => {
    const offset = auditOffset();
    const result = await plugin(['diff', 'all']);
    expect(result.stdout).toBe('');
    expect(result.code, result.stderr).toBe(0);
    const requests = await pluginRequests(offset);
    expect(requests.reads).toBeGreaterThan(0);
    expect(requests.all.filter((event) => event.verb !== 'get' && event.verb !== 'list')).toEqual([]);
  });

  it('diff with another option shows exactly that change', async () => {
    const result = await plugin(['diff', 'all', '--pools', 'default']);
    expect(result.code, result.stderr).toBe(1);
    const files = [...result.stdout.matchAll(/^\+\+\+ merged\/(\S+)/gm)].map((match) => match[1]);
    expect(files).toEqual([
      'apps.v1.Deployment.kube-system.coredns-ha',
      'apps.v1.Deployment.kube-system.kube-dns-autoscaler',
      'apps.v1.Deployment.kube-system.metrics-server-ha',
    ]);
    const added = result.stdout.split('\n').filter((line) => line.startsWith('+') && !line.startsWith('+++'));
    expect(added.join('\n')).toMatch(/k8s\.scaleway\.com\/pool-name/);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('-') && !line.startsWith('---'))).toEqual([]);
  });

  it('diff --disable shows the uninstall', async () => {
    const result = await plugin(['diff', 'all', '--disable']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^--- live\/apps\.v1\.Deployment\.kube-system\.coredns-ha/m);
    expect(result.stdout).toMatch(/^- {2}replicas: 0\n\+ {2}replicas: 1$/m);
  });

  it('status shows coredns-ha in 3 zones with its PDB and autoscaler, as JSON of the documented shape', async () => {
    const text = await plugin(['status', 'coredns']);
    expect(text.stdout).toMatch(/coredns: HA — coredns 0\/0, coredns-ha 3\/3 ready; 3 Ready pod\(s\) in 3 zone\(s\)/);
    expect(text.stdout).toMatch(/PDB: coredns-ha/);
    expect(text.stdout).toContain('Ready pods per zone: fr-par-1 ×1, fr-par-2 ×1, fr-par-3 ×1');
    expect(text.stdout).toMatch(/autoscaler: .* → 3 replicas/);
    const json = JSON.parse((await plugin(['status', '-o', 'json'])).stdout);
    expect(json).toMatchObject({ apiVersion: 'kapsule-ha/v1', kind: 'Status', cluster: { nodes: 9, zones: ['fr-par-1', 'fr-par-2', 'fr-par-3'] } });
    const coredns = json.components.find((c: any) => c.component === 'coredns');
    expect(coredns).toMatchObject({ form: 'ha', zones: ['fr-par-1', 'fr-par-2', 'fr-par-3'], drift: false, podDisruptionBudget: { name: 'coredns-ha' } });
    expect(Object.keys(coredns).sort()).toEqual(
      ['autoscaler', 'component', 'deployments', 'drift', 'findings', 'form', 'pinnedPools', 'podDisruptionBudget', 'pods', 'zones'].sort(),
    );
  });

  it('check-drift finds what a Kapsule upgrade changed, enable repairs it, and check-drift is then clean', async () => {
    expect((await plugin(['check-drift'])).code).toBe(0);
    const [coredns, metrics] = await Promise.all([
      sim.kubectl(['get', 'deploy', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']),
      sim.kubectl(['get', 'deploy', 'metrics-server', '-n', 'kube-system', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']),
    ]);
    await sim.upgrade();
    const [upgradedDns, upgradedMetrics] = await Promise.all([
      sim.kubectl(['get', 'deploy', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']),
      sim.kubectl(['get', 'deploy', 'metrics-server', '-n', 'kube-system', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']),
    ]);
    const offset = auditOffset();
    const result = await plugin(['check-drift']);
    expect(result.code, result.stderr).toBe(1);
    expect((await pluginRequests(offset)).writes).toBe(0);
    expect(result.stdout).toContain(`coredns: deployment.apps/coredns-ha containers[coredns].image: original ${upgradedDns.stdout} → copy ${coredns.stdout}`);
    expect(result.stdout).toContain(
      `metrics-server: deployment.apps/metrics-server-ha containers[metrics-server].image: original ${upgradedMetrics.stdout} → copy ${metrics.stdout}`,
    );
    expect(result.stdout).toMatch(/coredns: configmap\/coredns-ha data\.Corefile differs from the original's: line \d+/);
    expect(result.stdout).toMatch(/original deployment.apps\/coredns scaled back to 1/);
    expect(result.stdout).toMatch(/cilium-operator: deployment.apps\/cilium-operator runs 1 replica\(s\), enabled with 3/);
    expect(result.stdout).toMatch(/\(repair: kubectl kapsule-ha enable coredns\)/);

    const json = JSON.parse((await plugin(['check-drift', '-o', 'json'])).stdout);
    expect(json).toMatchObject({ apiVersion: 'kapsule-ha/v1', kind: 'DriftReport', drift: true });
    expect(json.components.find((c: any) => c.component === 'coredns').findings.map((f: any) => f.kind).sort()).toEqual(
      ['config', 'image', 'original-running'].sort(),
    );

    const repaired = await plugin(['enable', 'all', '--yes']);
    expect(repaired.code, repaired.stderr).toBe(0);
    const clean = await plugin(['check-drift']);
    expect(clean.stdout).toBe('cilium-operator: in sync\ncoredns: in sync\nmetrics-server: in sync\n');
    expect(clean.code).toBe(0);
  });

  it('an unknown component or output format is bad input: one line, exit 2', async () => {
    for (const args of [['check-drift', 'kube-proxy'], ['status', '-o', 'wide']]) {
      const result = await plugin(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
