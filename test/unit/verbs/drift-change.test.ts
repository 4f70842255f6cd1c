import { describe, expect, it } from 'vitest';
import { describeChange, stringChange } from '../../../src/verbs/drift-change.ts';

const metricsArgs = ['--cert-dir=/tmp', '--secure-port=10250', '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname', '--kubelet-use-node-status-port', '--metric-resolution=15s'];
const controlPlane = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' };
const critical = { key: 'CriticalAddonsOnly', operator: 'Exists' };

// Each row: the field, its live value, its expected value, the line describing the change.
const rows: Array<[name: string, list: string, live: unknown, expected: unknown, line: string]> = [
  ['an argument added at the end of a long list', 'args', metricsArgs, [...metricsArgs, '--kubelet-request-timeout=7s'], '+ --kubelet-request-timeout=7s'],
  ['an argument removed', 'args', [...metricsArgs, '--v=2'], metricsArgs, '- --v=2'],
  ['an argument changed', 'command', ['/coredns', '-conf', '/a'], ['/coredns', '-conf', '/b'], '+ /b, - /a'],
  ['the same arguments in another order', 'args', ['a', 'b'], ['b', 'a'], 'order differs'],
  ['an env var changed', 'env', [{ name: 'FOO', value: 'a' }, { name: 'BAR', value: 'x' }], [{ name: 'FOO', value: 'b' }, { name: 'BAR', value: 'x' }], 'FOO: "a" → "b"'],
  ['an env var added', 'env', [], [{ name: 'GOMAXPROCS', value: '2' }], '+ GOMAXPROCS="2"'],
  ['an env var from a secret removed', 'env', [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }], [], '- TOKEN from valueFrom'],
  ['a volume added', 'volumes', [{ name: 'config', configMap: { name: 'c' } }], [{ name: 'config', configMap: { name: 'c' } }, { name: 'tmp', emptyDir: {} }], '+ volume tmp (emptyDir)'],
  ['a volume mount moved', 'volumeMounts', [{ name: 'tmp', mountPath: '/tmp' }], [{ name: 'tmp', mountPath: '/scratch' }], '+ mount tmp at /scratch, - mount tmp at /tmp'],
  ['a toleration removed', 'tolerations', [critical, controlPlane], [critical], '- toleration node-role.kubernetes.io/control-plane (Exists):NoSchedule'],
  ['a toleration added', 'tolerations', [], [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoExecute' }], '+ toleration dedicated=infra:NoExecute'],
  ['a named port changed', 'ports', [{ name: 'https', containerPort: 10250 }], [{ name: 'https', containerPort: 4443 }], 'https containerPort: 10250 → 4443'],
  ['an unnamed port added', 'ports', [{ containerPort: 53, protocol: 'UDP' }], [{ containerPort: 53, protocol: 'UDP' }, { containerPort: 53, protocol: 'TCP' }], '+ 53/TCP'],
  ['map keys added, removed and changed', 'labels', { a: '1', old: 'x' }, { a: '2', new: 'y' }, 'a: "1" → "2", + new: "y", - old'],
  ['nested map leaves', 'resources', { limits: { memory: '170Mi' }, requests: { cpu: '100m' } }, { limits: { memory: '200Mi' }, requests: { cpu: '100m' } }, 'limits.memory: "170Mi" → "200Mi"'],
  ['a scalar', 'replicas', 1, 3, '1 → 3'],
  ['a field set only on the expected side', 'priorityClassName', undefined, 'system-cluster-critical', '+ "system-cluster-critical"'],
  ['a field set only live', 'nodeSelector', { pool: 'a' }, undefined, '- {"pool":"a"}'],
];

describe('describeChange: one line naming what differs', () => {
  it.each(rows)('%s', (_name, list, live, expected, line) => {
    expect(describeChange(list, live, expected)).toBe(line);
  });

  it('counts what does not fit in one line', () => {
    const line = describeChange('args', [], ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(line).toBe('+ a, + b, + c, + d … and 2 more');
  });

  it('never cuts both sides at the same prefix: the new argument is in the line', () => {
    const line = describeChange('args', metricsArgs, [...metricsArgs, '--kubelet-request-timeout=7s']);
    expect(line).toContain('--kubelet-request-timeout=7s');
    expect(line).not.toContain('--cert-dir');
  });
});

describe('stringChange', () => {
  it('quotes short strings whole', () => {
    expect(stringChange('cache 30', 'cache 60')).toBe('"cache 30" → "cache 60"');
  });

  it('shows a long string from a little before the first difference', () => {
    const before = `${'x'.repeat(100)} cache 30 ${'y'.repeat(100)}`;
    const after = `${'x'.repeat(100)} cache 60 ${'y'.repeat(100)}`;
    const line = stringChange(before, after);
    expect(line).toMatch(/^"…x+ cache 3.*…" → "…x+ cache 6.*…" \(from character 108\)$/);
    expect(line.length).toBeLessThan(120);
  });
});
