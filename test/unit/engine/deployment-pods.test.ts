// Which pods are a Deployment's, and which are ready: by the ReplicaSet that controls each
// pod, as the Deployment controller names it, so that an original and its copy (whose pods
// carry every label of the original's) never count each other's pods.
import { describe, expect, it } from 'vitest';
import { deploymentOfPod, isPodOf, isPodReady } from '../../../src/engine/deployment-pods.ts';
import type { KubeObject } from '../../../src/kube/types.ts';

interface PodShape {
  hash?: string;
  owner?: { kind?: string; name: string; controller?: boolean };
  ready?: 'True' | 'False';
  terminating?: boolean;
  labels?: Record<string, string>;
}

function pod({ hash = '5d9f', owner, ready = 'True', terminating = false, labels = { 'k8s-app': 'kube-dns' } }: PodShape): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      labels: { ...labels, ...(hash ? { 'pod-template-hash': hash } : {}) },
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind ?? 'ReplicaSet', name: owner.name, uid: 'u', controller: owner.controller ?? true }] } : {}),
      ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    status: { conditions: [{ type: 'Ready', status: ready }] },
  };
}

const deployment = (name: string): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name } });

describe('isPodOf: a Deployment owns the pods of its ReplicaSets <deployment>-<pod-template-hash>', () => {
  it("tells an original's pods from its copy's, whose labels are a superset", () => {
    const original = pod({ owner: { name: 'coredns-5d9f' } });
    const copy = pod({ hash: '7c4b', owner: { name: 'coredns-ha-7c4b' }, labels: { 'k8s-app': 'kube-dns', 'kapsule-ha/instance': 'coredns-ha' } });
    expect([isPodOf(original, 'coredns'), isPodOf(original, 'coredns-ha')]).toEqual([true, false]);
    expect([isPodOf(copy, 'coredns'), isPodOf(copy, 'coredns-ha')]).toEqual([false, true]);
    expect(deploymentOfPod(copy, [deployment('coredns'), deployment('coredns-ha')])?.metadata.name).toBe('coredns-ha');
  });

  it('a name prefix is not ownership: coredns-ha-7c4b is not a ReplicaSet of "coredns" with hash "ha-7c4b"', () => {
    expect(isPodOf(pod({ hash: '7c4b', owner: { name: 'coredns-ha-7c4b' } }), 'coredns')).toBe(false);
  });

  it('needs the controller reference of a ReplicaSet, and the hash label', () => {
    expect(isPodOf(pod({ owner: { name: 'coredns-5d9f', controller: false } }), 'coredns')).toBe(false);
    expect(isPodOf(pod({ owner: { kind: 'StatefulSet', name: 'coredns-5d9f' } }), 'coredns')).toBe(false);
    expect(isPodOf(pod({ hash: '', owner: { name: 'coredns-' } }), 'coredns')).toBe(false);
    expect(isPodOf(pod({ owner: undefined }), 'coredns')).toBe(false);
    expect(deploymentOfPod(pod({ owner: undefined }), [deployment('coredns')])).toBeUndefined();
  });
});

describe('isPodReady: as Endpoints count it', () => {
  it('the Ready condition True, and not terminating', () => {
    expect(isPodReady(pod({ ready: 'True' }))).toBe(true);
    expect(isPodReady(pod({ ready: 'False' }))).toBe(false);
    expect(isPodReady(pod({ ready: 'True', terminating: true }))).toBe(false);
    expect(isPodReady({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'new' } })).toBe(false);
  });
});
