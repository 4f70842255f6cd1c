import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/engine/plan.ts';
import { writesOf, type Step } from '../../../src/engine/types.ts';
import type { KubeObject } from '../../../src/kube/types.ts';
import { linearReplicas } from '../../../src/recipes/autoscaler.ts';
import { ciliumOperator } from '../../../src/recipes/cilium-operator.ts';
import { metricsServer } from '../../../src/recipes/metrics-server.ts';
import { applyToFake } from '../../lib/apply-fake.ts';
import { requiredAccess } from '../../../src/verbs/permissions.ts';
import { FakeCluster, kapsuleNodes, metricsApiService, metricsServerDeployment, node } from '../../lib/fixtures.ts';

const describeSteps = (steps: Step[]) =>
  steps.map((step) => (step.action === 'wait' ? `wait ${step.waitFor.deployment.name}` : `${step.action} ${step.ref.kind}/${step.ref.name}`));

describe('metrics-server enable', () => {
  it('runs 2 spread replicas with a PDB before scaling the original to 0', () => {
    const steps = plan(metricsServer.enable(new FakeCluster().view(), {}), new FakeCluster().live()).steps;
    expect(describeSteps(steps)).toEqual([
      'create Deployment/metrics-server-ha',
      'create PodDisruptionBudget/metrics-server-ha',
      'wait metrics-server-ha',
      'patch Deployment/metrics-server',
    ]);
    const copy = (steps[0] as Extract<Step, { action: 'create' }>).object as KubeObject & { spec: Record<string, any> };
    expect(copy.spec.replicas).toBe(2);
    expect(copy.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } });
    expect(copy.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe(
      'kubernetes.io/hostname',
    );
    const pdb = (steps[1] as Extract<Step, { action: 'create' }>).object as KubeObject & { spec: Record<string, unknown> };
    expect(pdb.spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { 'kapsule-ha/instance': 'metrics-server-ha' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  it('keeps the copy serving for 10 s after SIGTERM, unless the original already sets a shutdown delay', () => {
    const copyArgs = (cluster: FakeCluster) => {
      const steps = plan(metricsServer.enable(cluster.view(), {}), cluster.live()).steps;
      return ((steps[0] as Extract<Step, { action: 'create' }>).object as KubeObject & { spec: Record<string, any> }).spec.template.spec.containers[0].args;
    };
    expect(copyArgs(new FakeCluster())).toEqual(['--secure-port=10250', '--shutdown-delay-duration=10s']);

    const given = new FakeCluster();
    const original = metricsServerDeployment() as KubeObject & { spec: Record<string, any> };
    original.spec.template.spec.containers[0].args.push('--shutdown-delay-duration=3s');
    given.put(original);
    expect(copyArgs(given)).toEqual(['--secure-port=10250', '--shutdown-delay-duration=3s']);
  });

  it('refuses when the guide\'s own metrics-server PDB is still there', () => {
    const cluster = new FakeCluster();
    cluster.put({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
      spec: { minAvailable: 1, selector: { matchLabels: { 'k8s-app': 'metrics-server' } } },
    });
    expect(() => metricsServer.enable(cluster.view(), {})).toThrow(/poddisruptionbudget\/metrics-server in namespace kube-system already selects/);
  });

  it('converges, then disable restores the original before deleting the copy', () => {
    const cluster = new FakeCluster();
    applyToFake(cluster, plan(metricsServer.enable(cluster.view(), {}), cluster.live()));
    expect(writesOf(plan(metricsServer.enable(cluster.view(), {}), cluster.live()))).toEqual([]);
    expect(describeSteps(plan(metricsServer.disable(cluster.view()), cluster.live()).steps)).toEqual([
      'patch Deployment/metrics-server',
      'wait metrics-server',
      'delete PodDisruptionBudget/metrics-server-ha',
      'delete Deployment/metrics-server-ha',
    ]);
  });
});

describe('cilium-operator', () => {
  it('scales to 3 and records the count, so that check-drift can see an upgrade reset it', () => {
    const cluster = new FakeCluster();
    const steps = plan(ciliumOperator.enable(cluster.view(), {}), cluster.live()).steps;
    expect((steps[0] as Extract<Step, { action: 'patch' }>).patch.slice(1)).toEqual(expect.arrayContaining([
      { op: 'add', path: '/metadata/annotations/kapsule-ha~1enabled-replicas', value: '3' },
      { op: 'replace', path: '/spec/replicas', value: 3 },
    ]));
    applyToFake(cluster, plan(ciliumOperator.enable(cluster.view(), {}), cluster.live()));
    expect(writesOf(plan(ciliumOperator.enable(cluster.view(), {}), cluster.live()))).toEqual([]);
  });

  it('refuses more replicas than schedulable nodes, unless forced', () => {
    const cluster = new FakeCluster(undefined, [node('a', 'fr-par-1', 'default'), node('b', 'fr-par-2', 'default')]);
    expect(() => ciliumOperator.enable(cluster.view(), {})).toThrow(/needs 3 schedulable Ready nodes .* the cluster has 2.*--replicas 2, or --force/);
    expect(ciliumOperator.enable(cluster.view(), { force: true }).warnings).toEqual([
      'only 2 schedulable nodes: 1 cilium-operator pods will stay Pending',
    ]);
  });

  it('disable goes back to 1 replica and forgets the recorded count', () => {
    const cluster = new FakeCluster();
    applyToFake(cluster, plan(ciliumOperator.enable(cluster.view(), {}), cluster.live()));
    const patch = (plan(ciliumOperator.disable(cluster.view()), cluster.live()).steps[0] as Extract<Step, { action: 'patch' }>).patch;
    expect(patch.slice(1)).toHaveLength(2);
    expect(patch.slice(1)).toEqual(
      expect.arrayContaining([
        { op: 'remove', path: '/metadata/annotations/kapsule-ha~1enabled-replicas' },
        { op: 'replace', path: '/spec/replicas', value: 1 },
      ]),
    );
  });
});

describe('linearReplicas (cluster-proportional-autoscaler linear mode)', () => {
  const params = { coresPerReplica: 256, nodesPerReplica: 16, min: 1, preventSinglePointFailure: true, includeUnschedulableNodes: true };
  const nodes = (count: number) => Array.from({ length: count }, (_, i) => node(`n${i}`, 'z', 'p'));

  it.each([
    [1, 1, 'a single node needs no second replica'],
    [9, 2, 'preventSinglePointFailure: never 1 on a multi-node cluster'],
    [100, 7, 'one per 16 nodes dominates on 4-core nodes'],
  ])('%i nodes of 4 cores give %i replicas (%s)', (count, expected) => {
    expect(linearReplicas(params, nodes(count))).toBe(expected);
  });

  it('honours min and max', () => {
    expect(linearReplicas({ ...params, min: 3 }, kapsuleNodes())).toBe(3);
    expect(linearReplicas({ ...params, max: 4 }, nodes(1000))).toBe(4);
  });
});

describe('metrics-server waits for the metrics API', () => {
  const waitsOf = (steps: Step[]) => steps.flatMap((step) => (step.action === 'wait' ? [step.waitFor] : []));

  it('enable and disable wait for the APIService Available behind the Service it names', () => {
    const cluster = new FakeCluster();
    cluster.put(metricsApiService());
    const [enableWait] = waitsOf(plan(metricsServer.enable(cluster.view(), {}), cluster.live()).steps);
    expect(enableWait).toMatchObject({
      deployment: { name: 'metrics-server-ha' },
      service: { kind: 'Service', name: 'metrics-server' },
      apiService: { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: 'v1beta1.metrics.k8s.io' },
    });
    applyToFake(cluster, plan(metricsServer.enable(cluster.view(), {}), cluster.live()));
    const [disableWait] = waitsOf(plan(metricsServer.disable(cluster.view()), cluster.live()).steps);
    expect(disableWait).toMatchObject({ deployment: { name: 'metrics-server' }, apiService: { name: 'v1beta1.metrics.k8s.io' } });
  });

  it('without an APIService served by its Service, waits for the Service\'s endpoints only', () => {
    const none = new FakeCluster();
    expect(waitsOf(plan(metricsServer.enable(none.view(), {}), none.live()).steps)[0]).not.toHaveProperty('apiService');
    const elsewhere = new FakeCluster();
    elsewhere.put(metricsApiService(true, { namespace: 'monitoring', name: 'prometheus-adapter', port: 443 }));
    const [wait] = waitsOf(plan(metricsServer.enable(elsewhere.view(), {}), elsewhere.live()).steps);
    expect(wait).toMatchObject({ service: { name: 'metrics-server' } });
    expect(wait).not.toHaveProperty('apiService');
  });

  it('asks for watch on apiservices before any write', () => {
    const cluster = new FakeCluster();
    cluster.put(metricsApiService());
    const plans = [plan(metricsServer.enable(cluster.view(), {}), cluster.live())];
    expect(requiredAccess(plans, 'kube-system').map((entry) => entry.display)).toContain('watch apiservices.apiregistration.k8s.io');
  });
});
