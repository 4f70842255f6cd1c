import { describe, expect, it } from 'vitest';
import { servingCheck } from '../../../src/engine/serving-check.ts';
import type { KubeObject } from '../../../src/kube/types.ts';
import { servingWait } from '../../../src/recipes/shared.ts';
import { metricsApiService } from '../../lib/fixtures.ts';

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'coredns-ha', namespace: 'kube-system', generation: 2 },
  spec: { replicas: 2, selector: { matchLabels: { app: 'dns' } } },
  status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 },
};
const pod = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { 'pod-template-hash': 'abc' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'coredns-ha-abc', controller: true }] },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});
const slice = (...pods: string[]): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'kube-dns-x' },
  endpoints: pods.map((name) => ({ targetRef: { name }, conditions: { ready: true } })),
});

describe('servingCheck (what the watches delivered so far)', () => {
  const wait = servingWait('kube-system', 'coredns-ha', 'kube-dns');

  it('passes once every Ready pod of the Deployment is a ready endpoint', () => {
    expect(servingCheck(wait, deployment, [pod('a'), pod('b')], [slice('a', 'b')]).done).toBe(true);
    expect(servingCheck(wait, deployment, [pod('a'), pod('b')], [slice('a')])).toEqual({ done: false, detail: '1 Ready pod(s) not yet endpoints of service/kube-dns' });
  });

  it('never passes on a partial view: fewer Ready pods seen than the Deployment counts', () => {
    expect(servingCheck(wait, deployment, [pod('a')], [slice('a')])).toEqual({ done: false, detail: '1/2 Ready pods seen' });
  });

  it('waits, as kubectl rollout status does, while old pods of a rollout are still there (they count as available)', () => {
    const rolling = { ...deployment, status: { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 } };
    expect(servingCheck(wait, rolling, [pod('a'), pod('b')], [slice('a', 'b')])).toEqual({ done: false, detail: '1 old pod(s) pending termination' });
    const newNotReady = { ...deployment, status: { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 } };
    newNotReady.status.replicas = 2;
    newNotReady.status.availableReplicas = 1;
    expect(servingCheck(wait, newNotReady, [pod('a')], [slice('a')])).toEqual({ done: false, detail: '1/2 updated pods available' });
  });
});


describe('servingCheck of an aggregated API (metrics.k8s.io)', () => {
  const wait = servingWait('kube-system', 'coredns-ha', 'kube-dns', 'v1beta1.metrics.k8s.io');

  it('passes only once the APIService is Available too: the API server reaches an endpoint', () => {
    const pods = [pod('a'), pod('b')];
    expect(servingCheck(wait, deployment, pods, [slice('a', 'b')], metricsApiService(true))).toEqual({ done: true, detail: '2 Ready endpoint(s)' });
    expect(servingCheck(wait, deployment, pods, [slice('a', 'b')], metricsApiService(false))).toEqual({
      done: false,
      detail: 'apiservice/v1beta1.metrics.k8s.io not Available (MissingEndpoints)',
    });
    expect(servingCheck(wait, deployment, pods, [slice('a', 'b')], undefined)).toEqual({ done: false, detail: 'apiservice/v1beta1.metrics.k8s.io not seen yet' });
  });

  it('judges the endpoints first: an Available APIService (the other side serves) is not enough', () => {
    expect(servingCheck(wait, deployment, [pod('a'), pod('b')], [slice('a')], metricsApiService(true)).detail).toBe('1 Ready pod(s) not yet endpoints of service/kube-dns');
  });

  it('names the APIService in its description', () => {
    expect(wait.description).toBe('deployment/coredns-ha Available and its pods ready endpoints of service/kube-dns, apiservice/v1beta1.metrics.k8s.io Available');
  });
});
