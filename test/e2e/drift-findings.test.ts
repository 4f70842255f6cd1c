// check-drift after a hand-made upgrade of the originals: each finding names the item that
// changed (an argument, an env var, a volume, a toleration), not a cut-off list.
import { beforeAll, describe, expect, it } from 'vitest';
import { plugin, sim } from '../lib/plugin.ts';

const patch = async (deployment: string, operations: unknown[]) => {
  const result = await sim.kubectl(['patch', 'deployment', deployment, '-n', 'kube-system', '--type=json', '-p', JSON.stringify(operations)]);
  if (result.code !== 0) throw new Error(`kubectl patch ${deployment}: ${result.stderr}`);
};

const controlPlane = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' };

describe('check-drift findings show the difference itself', () => {
  let text: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    await sim.reset();
    // What Kapsule shipped before: an env var on metrics-server, a second toleration on coredns.
    await patch('metrics-server', [{ op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'GOMEMLIMIT', value: '100MiB' }] }]);
    await patch('coredns', [{ op: 'add', path: '/spec/template/spec/tolerations/-', value: controlPlane }]);
    const enabled = await plugin(['enable', 'all', '--yes']);
    if (enabled.code !== 0) throw new Error(`enable all failed: ${enabled.stderr}`);
    // The hand-made upgrade of the originals.
    await patch('metrics-server', [
      { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--kubelet-request-timeout=7s' },
      { op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: '200MiB' },
      { op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'scratch', emptyDir: {} } },
    ]);
    await patch('coredns', [{ op: 'remove', path: '/spec/template/spec/tolerations/1' }]);
    text = await plugin(['check-drift']);
  });

  it('an argument added to the original: the finding contains the new argument', () => {
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain('metrics-server: deployment.apps/metrics-server-ha containers[metrics-server].args: + --kubelet-request-timeout=7s (repair: kubectl kapsule-ha enable metrics-server)');
  });

  it('an env var changed, a volume added, a toleration removed: each finding names that item', () => {
    expect(text.stdout).toContain('deployment.apps/metrics-server-ha containers[metrics-server].env: GOMEMLIMIT: "100MiB" → "200MiB"');
    expect(text.stdout).toContain('deployment.apps/metrics-server-ha spec.template.spec.volumes: + volume scratch (emptyDir)');
    expect(text.stdout).toContain('coredns: deployment.apps/coredns-ha spec.template.spec.tolerations: - toleration node-role.kubernetes.io/control-plane (Exists):NoSchedule');
    for (const line of text.stdout.trim().split('\n')) expect(line.length, line).toBeLessThan(260);
  });

  it('-o json carries the full expected and live values', async () => {
    const json = await plugin(['check-drift', 'metrics-server', '-o', 'json']);
    expect(json.code, json.stderr).toBe(1);
    const findings = JSON.parse(json.stdout).components[0].findings as Array<{ field: string; expected: unknown; actual: unknown }>;
    const args = findings.find((finding) => finding.field === 'containers[metrics-server].args')!;
    expect(args.expected).toEqual(expect.arrayContaining(['--cert-dir=/tmp', '--kubelet-request-timeout=7s']));
    expect(args.actual).toContain('--cert-dir=/tmp');
    expect(args.actual).not.toContain('--kubelet-request-timeout=7s');
    expect(findings.find((finding) => finding.field === 'containers[metrics-server].env')).toMatchObject({
      expected: [{ name: 'GOMEMLIMIT', value: '200MiB' }],
      actual: [{ name: 'GOMEMLIMIT', value: '100MiB' }],
    });
  });
});
