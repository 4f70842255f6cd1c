import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOffset, isWrite, kubeSystem, plugin, pluginRequests, sim } from '../lib/plugin.ts';

describe('enable and disable refuse to surprise', () => {
  beforeAll(async () => {
    await sim.reset();
  });
  afterAll(async () => {
    await sim.kubectl(['uncordon', '-l', 'kubernetes.io/os=linux']);
  });

  it('without a terminal and without --yes, nothing is written and the hint says how to go on', async () => {
    const offset = auditOffset();
    const result = await plugin(['enable', 'all']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'error: enable changes the cluster and needs confirmation: pass --yes (or --dry-run=client to see the plan first)',
    );
    expect((await pluginRequests(offset)).writes).toBe(0);
  });

  it('--dry-run=client prints the plan, patches included, and writes nothing', async () => {
    const offset = auditOffset();
    const result = await plugin(['enable', 'coredns', '--dry-run=client']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('+ create deployment.apps/coredns-ha: the HA copy of coredns');
    expect(result.stdout).toContain('… wait for deployment/coredns-ha Available and its pods ready endpoints of service/kube-dns');
    expect(result.stdout).toMatch(/~ patch deployment.apps\/coredns: .*\n\s+replace \/spec\/replicas 0/);
    expect((await pluginRequests(offset)).writes).toBe(0);
    const yaml = await plugin(['enable', 'coredns', '--dry-run=client', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^kind: Plan$/m);
  });

  it('--dry-run=server sends every write with dryRun=All and persists none of them', async () => {
    const offset = auditOffset();
    const result = await plugin(['enable', 'all', '--dry-run=server', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('deployment.apps/coredns-ha created (server dry run)');
    const writes = (await pluginRequests(offset)).all.filter(isWrite);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((event) => /[?&]dryRun=All/.test(event.requestURI))).toBe(true);
    expect(await kubeSystem('deployment', 'coredns-ha')).toBeUndefined();
    expect((await kubeSystem('deployment', 'coredns')).spec.replicas).toBe(1);
  });

  it('a copy that cannot become Ready times out with exit 124, the original still serving; a re-run then converges', async () => {
    expect((await sim.kubectl(['cordon', '-l', 'kubernetes.io/os=linux'])).code).toBe(0);
    const result = await plugin(['enable', 'coredns', '--yes', '--timeout', '3s']);
    expect(result.code).toBe(124);
    expect(result.stderr).toMatch(/timed out waiting for deployment\/coredns-ha .*the original still serves/);
    expect((await kubeSystem('deployment', 'coredns')).spec.replicas).toBe(1);
    expect((await kubeSystem('deployment', 'coredns')).status.readyReplicas).toBe(1);
    expect((await sim.kubectl(['uncordon', '-l', 'kubernetes.io/os=linux'])).code).toBe(0);
    const rerun = await plugin(['enable', 'coredns', '--yes']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await kubeSystem('deployment', 'coredns')).spec.replicas).toBe(0);
  });
});

describe('check-drift and diff details', () => {
  beforeAll(async () => {
    await sim.reset();
    const enabled = await plugin(['enable', 'coredns', '--yes']);
    if (enabled.code !== 0) throw new Error(enabled.stderr);
  });

  it('names missing pieces and an older autoscaler image', async () => {
    await sim.kubectl(['delete', 'pdb', 'coredns-ha', '-n', 'kube-system']);
    await sim.kubectl(['set', 'image', 'deployment/kube-dns-autoscaler', 'autoscaler=registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.4', '-n', 'kube-system']);
    const result = await plugin(['check-drift', 'coredns', '-o', 'json']);
    expect(result.code, result.stderr).toBe(1);
    const findings = JSON.parse(result.stdout).components[0].findings;
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'missing', object: 'poddisruptionbudget.policy/coredns-ha' }),
        expect.objectContaining({ kind: 'autoscaler-image', actual: 'registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.4' }),
      ]),
    );
  });

  it('diff goes through KUBECTL_EXTERNAL_DIFF when it is set, and colours on request', async () => {
    const external = await plugin(['diff', 'coredns'], { env: { KUBECTL_EXTERNAL_DIFF: 'diff -r' } });
    expect(external.code, external.stderr).toBe(1);
    expect(external.stdout).toMatch(/^diff -r \S+\/LIVE\/apps\.v1\.Deployment\.kube-system\.kube-dns-autoscaler \S+\/MERGED\/apps\.v1\.Deployment\.kube-system\.kube-dns-autoscaler$/m);
    const colored = await plugin(['diff', 'coredns', '--color', 'always'], { env: { NO_COLOR: '' } });
    expect(colored.stdout).toContain('\x1b[32m+');
    const repaired = await plugin(['enable', 'coredns', '--yes']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect((await plugin(['check-drift', 'coredns'])).code).toBe(0);
  });
});
