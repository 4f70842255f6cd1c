// status shows a pod's restarts and why it is not running, as `kubectl get pods` does: a
// copy whose CoreDNS rejects its Corefile crashes in a loop and must not look merely "Running".
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/types.ts';
import { componentText } from '../../../src/verbs/status.ts';
import { podStatus, type ComponentStatus } from '../../../src/verbs/status-model.ts';
import { node } from '../../lib/fixtures.ts';

const nodes = new Map([['scw-a', node('scw-a', 'fr-par-1', 'default')]]);

function pod(name: string, ready: boolean, containerStatuses: unknown[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system' },
    spec: { nodeName: 'scw-a' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses },
  };
}

const crashing = pod('coredns-ha-1', false, [{ name: 'coredns', restartCount: 4, ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }]);
const serving = pod('coredns-ha-2', true, [{ name: 'coredns', restartCount: 0, ready: true, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }]);

describe('status: pods', () => {
  it('reads restarts and the reason a container is not running', () => {
    expect(podStatus(crashing, 'coredns-ha', nodes)).toMatchObject({ ready: false, phase: 'Running', restarts: 4, reason: 'CrashLoopBackOff', zone: 'fr-par-1' });
    expect(podStatus(serving, 'coredns-ha', nodes)).toMatchObject({ ready: true, restarts: 0, reason: null });
    expect(podStatus(pod('coredns-ha-3', false, []), 'coredns-ha', nodes)).toMatchObject({ restarts: 0, reason: null });
  });

  it('the text shows them in READY and RESTARTS columns', () => {
    const status: ComponentStatus = {
      component: 'coredns',
      form: 'ha',
      deployments: [{ name: 'coredns-ha', desired: 2, ready: 1 }],
      pods: [podStatus(crashing, 'coredns-ha', nodes), podStatus(serving, 'coredns-ha', nodes)],
      zones: ['fr-par-1'],
      podDisruptionBudget: null,
      pinnedPools: [],
      autoscaler: null,
      drift: false,
      findings: [],
    };
    const table = componentText(status).filter((line) => line.includes('coredns-ha-') || line.includes('RESTARTS'));
    expect(table.map((line) => line.trim().split(/\s+/))).toEqual([
      ['ZONE', 'POD', 'READY', 'RESTARTS', 'NODE'],
      ['fr-par-1', 'coredns-ha-1', 'CrashLoopBackOff', '4', 'scw-a'],
      ['fr-par-1', 'coredns-ha-2', 'yes', '0', 'scw-a'],
    ]);
  });
});
