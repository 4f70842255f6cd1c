import { describe, expect, it } from 'vitest';
import { PreflightError, ForeignObjectError } from '../../../src/engine/errors.ts';
import { plan } from '../../../src/engine/plan.ts';
import { writesOf, type Step } from '../../../src/engine/types.ts';
import type { KubeObject } from '../../../src/kube/types.ts';
import { coredns } from '../../../src/recipes/coredns.ts';
import { applyToFake } from '../../lib/apply-fake.ts';
import { COREFILE, FakeCluster, corednsConfigMap, corednsDeployment } from '../../lib/fixtures.ts';

const enablePlan = (cluster: FakeCluster, settings = {}) => plan(coredns.enable(cluster.view(), settings), cluster.live());
const created = (steps: Step[], kind: string, name: string) =>
  steps.find((step) => step.action === 'create' && step.object.kind === kind && step.object.metadata.name === name) as
    | Extract<Step, { action: 'create' }>
    | undefined;
type PodSpec = { volumes: { configMap?: { name: string } }[]; topologySpreadConstraints: unknown[]; affinity?: { nodeAffinity?: unknown } };
const podSpecOf = (deployment: KubeObject) => (deployment.spec as { template: { spec: PodSpec } }).template.spec;

describe('coredns enable', () => {
  it('creates the copy, its PDB and autoscaler, waits for it to serve, and only then scales the original to 0', () => {
    const steps = enablePlan(new FakeCluster()).steps;
    const order = steps.map((step) => (step.action === 'wait' ? `wait ${step.waitFor.deployment.name}` : `${step.action} ${step.ref.kind}/${step.ref.name}`));
    expect(order).toEqual([
      'create ConfigMap/coredns-ha',
      'create Deployment/coredns-ha',
      'create PodDisruptionBudget/coredns-ha',
      'create ServiceAccount/kube-dns-autoscaler',
      'create ClusterRole/kapsule-ha:kube-dns-autoscaler',
      'create ClusterRoleBinding/kapsule-ha:kube-dns-autoscaler',
      'create Role/kube-dns-autoscaler',
      'create RoleBinding/kube-dns-autoscaler',
      'create ConfigMap/kube-dns-autoscaler',
      'create Deployment/kube-dns-autoscaler',
      'wait coredns-ha',
      'patch Deployment/coredns',
    ]);
    const scaleDown = steps.at(-1) as Extract<Step, { action: 'patch' }>;
    expect(scaleDown.patch).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: scaleDown.live.metadata.resourceVersion },
      { op: 'replace', path: '/spec/replicas', value: 0 },
    ]);
  });

  it('copies the Deployment without server fields or reconciler labels, keeping every pod label for kube-dns', () => {
    const copy = created(enablePlan(new FakeCluster()).steps, 'Deployment', 'coredns-ha')!.object;
    expect(copy.status).toBeUndefined();
    for (const field of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation']) {
      expect(copy.metadata).not.toHaveProperty(field);
    }
    expect(copy.metadata.labels).toEqual({ 'k8s-app': 'kube-dns', 'app.kubernetes.io/managed-by': 'kubectl-kapsule-ha' });
    expect(copy.metadata.annotations).not.toHaveProperty(['kubectl.kubernetes.io/last-applied-configuration']);
    expect(copy.metadata.annotations).not.toHaveProperty(['deployment.kubernetes.io/revision']);
    const template = (copy.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
    expect(template.metadata.labels).toMatchObject({ 'k8s-app': 'kube-dns', 'kapsule-ha/instance': 'coredns-ha' });
    expect(podSpecOf(copy).volumes[0]!.configMap!.name).toBe('coredns-ha');
    expect(podSpecOf(copy).topologySpreadConstraints).toEqual([
      expect.objectContaining({ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', matchLabelKeys: ['pod-template-hash'] }),
    ]);
  });

  it("probes the copy's /ready every second (two failures), so a stopping copy stops serving within its lameduck; the rest of the probe is the original's", () => {
    const probed = (probe: Record<string, unknown> | undefined) => {
      const cluster = new FakeCluster();
      const original = corednsDeployment() as KubeObject & { spec: Record<string, any> };
      original.spec.template.spec.containers[0].readinessProbe = probe;
      cluster.put(original);
      const copy = created(enablePlan(cluster).steps, 'Deployment', 'coredns-ha')!.object as KubeObject & { spec: Record<string, any> };
      return copy.spec.template.spec.containers[0].readinessProbe;
    };
    const kapsule = { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' }, periodSeconds: 10, failureThreshold: 3, successThreshold: 1, timeoutSeconds: 1 };
    expect(probed(kapsule)).toEqual({ ...kapsule, periodSeconds: 1, failureThreshold: 2 });
    // Defaults count as the API server's (10 s, 3); a probe already more frequent is kept.
    expect(probed({ httpGet: { path: '/ready', port: 8181 } })).toEqual({ httpGet: { path: '/ready', port: 8181 }, periodSeconds: 1, failureThreshold: 2 });
    expect(probed({ ...kapsule, failureThreshold: 1 })).toEqual({ ...kapsule, periodSeconds: 1, failureThreshold: 1 });
    expect(probed(undefined)).toBeUndefined();
  });

  it('starts the copy with one replica per zone, as the autoscaler will keep it', () => {
    const copy = created(enablePlan(new FakeCluster()).steps, 'Deployment', 'coredns-ha')!.object;
    expect((copy.spec as { replicas: number }).replicas).toBe(3);
    const params = created(enablePlan(new FakeCluster()).steps, 'ConfigMap', 'kube-dns-autoscaler')!.object.data as { linear: string };
    expect(JSON.parse(params.linear)).toEqual({
      coresPerReplica: 256,
      nodesPerReplica: 16,
      min: 3,
      preventSinglePointFailure: true,
      includeUnschedulableNodes: true,
    });
  });

  it('plans no write once the cluster is converged', () => {
    const cluster = new FakeCluster();
    applyToFake(cluster, enablePlan(cluster));
    expect(writesOf(enablePlan(cluster))).toEqual([]);
  });

  it('resyncs the copy with an upgraded original by a minimal patch, leaving the autoscaler its replica count', () => {
    const cluster = new FakeCluster();
    applyToFake(cluster, enablePlan(cluster));
    const copy = cluster.view().get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns-ha' })!;
    (copy.spec as { replicas: number }).replicas = 5; // the autoscaler scaled it
    cluster.put({ ...corednsDeployment('coredns/coredns:1.12.4'), spec: { ...(corednsDeployment('coredns/coredns:1.12.4').spec as object), replicas: 1 } });
    cluster.put(corednsConfigMap(COREFILE.replace('cache 30', 'cache 60')));
    const writes = writesOf(enablePlan(cluster));
    const summary = writes.map((step) => (step.action === 'patch' ? [step.ref.name, step.ref.kind, step.patch.slice(1)] : [step.action]));
    expect(summary).toEqual([
      ['coredns-ha', 'ConfigMap', [{ op: 'replace', path: '/data/Corefile', value: COREFILE.replace('cache 30', 'cache 60') }]],
      ['coredns-ha', 'Deployment', [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'coredns/coredns:1.12.4' }]],
      ['coredns', 'Deployment', [{ op: 'replace', path: '/spec/replicas', value: 0 }]],
    ]);
  });

  it('pins the copy and the autoscaler to the given pools, and unpins them with an empty list', () => {
    const cluster = new FakeCluster();
    applyToFake(cluster, enablePlan(cluster));
    const pinned = writesOf(enablePlan(cluster, { pools: ['default'] }));
    expect(pinned.map((step) => `${step.action} ${step.ref.kind}/${step.ref.name}`)).toEqual([
      'patch Deployment/coredns-ha',
      'patch Deployment/kube-dns-autoscaler',
    ]);
    applyToFake(cluster, enablePlan(cluster, { pools: ['default'] }));
    expect(writesOf(enablePlan(cluster)), 'pinning sticks when --pools is not given').toEqual([]);
    const unpin = writesOf(enablePlan(cluster, { pools: [] }));
    expect(unpin).toHaveLength(2);
    applyToFake(cluster, enablePlan(cluster, { pools: [] }));
    const copy = cluster.view().get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns-ha' })!;
    expect(podSpecOf(copy).affinity?.nodeAffinity).toBeUndefined();
    expect(writesOf(enablePlan(cluster))).toEqual([]);
  });

  it('refuses a pool without a Ready node before planning any write', () => {
    expect(() => enablePlan(new FakeCluster(), { pools: ['gpu'] })).toThrow(/pool gpu has no Ready node \(pools with Ready nodes: autoscaled, default\)/);
  });

  it('warns when the pinned pools cover fewer zones than the cluster has', () => {
    const cluster = new FakeCluster();
    cluster.nodes = cluster.nodes.filter((node) => !(node.metadata.name === 'scw-default-2'));
    expect(enablePlan(cluster, { pools: ['default'] }).warnings[0]).toMatch(/cover 2 of the cluster's 3 zones/);
  });

  it('never touches a coredns-ha that is not ours', () => {
    const cluster = new FakeCluster();
    cluster.put({ ...corednsDeployment(), metadata: { ...corednsDeployment().metadata, name: 'coredns-ha', labels: {} } });
    expect(() => enablePlan(cluster)).toThrow(ForeignObjectError);
    expect(() => plan(coredns.disable(cluster.view()), cluster.live())).toThrow(ForeignObjectError);
  });

  it('refuses when another PodDisruptionBudget already selects the coredns pods', () => {
    const cluster = new FakeCluster();
    cluster.put({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'dns', namespace: 'kube-system' },
      spec: { minAvailable: 1, selector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
    });
    expect(() => enablePlan(cluster)).toThrow(/poddisruptionbudget\/dns .* already selects the pods of coredns-ha/);
  });

  it('fails with a clear message when the original is missing', () => {
    const cluster = new FakeCluster();
    cluster.objects.clear();
    expect(() => enablePlan(cluster)).toThrow(PreflightError);
    expect(() => enablePlan(cluster)).toThrow(/deployment\/coredns in namespace kube-system not found/);
  });
});

describe('coredns disable', () => {
  it('brings the original back and waits for it to serve before deleting the copy, autoscaler first', () => {
    const cluster = new FakeCluster();
    applyToFake(cluster, enablePlan(cluster));
    const steps = plan(coredns.disable(cluster.view()), cluster.live()).steps;
    const order = steps.map((step) => (step.action === 'wait' ? `wait ${step.waitFor.deployment.name}` : `${step.action} ${step.ref.kind}/${step.ref.name}`));
    expect(order.slice(0, 3)).toEqual(['patch Deployment/coredns', 'wait coredns', 'delete Deployment/kube-dns-autoscaler']);
    expect(order.slice(-3)).toEqual(['delete PodDisruptionBudget/coredns-ha', 'delete Deployment/coredns-ha', 'delete ConfigMap/coredns-ha']);
    applyToFake(cluster, plan(coredns.disable(cluster.view()), cluster.live()));
    expect(writesOf(plan(coredns.disable(cluster.view()), cluster.live()))).toEqual([]);
  });
});
