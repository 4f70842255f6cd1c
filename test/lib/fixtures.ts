// Live objects shaped as the API server returns them (server fields, defaults, status),
// for pure tests of recipes and planning.
import type { KubeObject } from '../../src/kube/types.ts';
import { refKey } from '../../src/engine/plan.ts';
import type { ClusterView } from '../../src/engine/types.ts';

const NS = 'kube-system';
let uid = 0;
const serverMeta = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: `uid-${++uid}`,
  resourceVersion: String(1000 + uid),
  creationTimestamp: '2026-01-01T00:00:00Z',
  managedFields: [{ manager: 'scw', operation: 'Apply' }],
});

export function node(name: string, zone: string, pool: string, ready = true): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      ...serverMeta(name),
      labels: {
        'kubernetes.io/hostname': name,
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': 'fr-par',
        'k8s.scaleway.com/pool-name': pool,
        'k8s.scaleway.com/managed': 'true',
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

/** 3 zones; pool `default` 1 node per zone, pool `autoscaled` 2 per zone. */
export function kapsuleNodes(zones = ['fr-par-1', 'fr-par-2', 'fr-par-3']): KubeObject[] {
  return zones.flatMap((zone, z) => [
    node(`scw-default-${z}`, zone, 'default'),
    node(`scw-autoscaled-${z}a`, zone, 'autoscaled'),
    node(`scw-autoscaled-${z}b`, zone, 'autoscaled'),
  ]);
}

const container = (name: string, image: string, extra: Record<string, unknown> = {}) => ({
  name,
  image,
  imagePullPolicy: 'IfNotPresent',
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
  ...extra,
});

function deployment(name: string, podLabels: Record<string, string>, podSpec: Record<string, unknown>, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...serverMeta(name, NS),
      generation: 3,
      labels: { ...podLabels, 'k8s.scw.cloud/object': 'Deployment', 'k8s.scw.cloud/system': name, 'addonmanager.kubernetes.io/mode': 'Reconcile' },
      annotations: {
        'deployment.kubernetes.io/revision': '2',
        'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}',
      },
    },
    spec: {
      replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: podLabels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: podLabels, annotations: { 'prometheus.io/port': '9153' } },
        spec: {
          dnsPolicy: 'Default',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
          priorityClassName: 'system-cluster-critical',
          ...podSpec,
        },
      },
    },
    status: { observedGeneration: 3, replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas },
  };
}

export const corednsDeployment = (image = 'coredns/coredns:1.12.1') =>
  deployment(
    'coredns',
    { 'k8s-app': 'kube-dns' },
    {
      serviceAccountName: 'coredns',
      containers: [container('coredns', image, { args: ['-conf', '/etc/coredns/Corefile'] })],
      volumes: [{ name: 'config-volume', configMap: { name: 'coredns', defaultMode: 420, items: [{ key: 'Corefile', path: 'Corefile' }] } }],
    },
  );

export const COREFILE = '.:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n}\n';

export const corednsConfigMap = (corefile = COREFILE): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { ...serverMeta('coredns', NS), labels: { 'k8s.scw.cloud/object': 'ConfigMap', 'k8s.scw.cloud/system': 'coredns' } },
  data: { Corefile: corefile },
});

export const metricsServerDeployment = (image = 'registry.k8s.io/metrics-server/metrics-server:v0.8.0') =>
  deployment(
    'metrics-server',
    { 'k8s-app': 'metrics-server' },
    { serviceAccountName: 'metrics-server', containers: [container('metrics-server', image, { args: ['--secure-port=10250'] })] },
  );

export const ciliumOperatorDeployment = () =>
  deployment(
    'cilium-operator',
    { 'io.cilium/app': 'operator', name: 'cilium-operator' },
    {
      hostNetwork: true,
      containers: [container('cilium-operator', 'quay.io/cilium/operator-generic:v1.17.6')],
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { 'io.cilium/app': 'operator' } }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      },
    },
  );

export const service = (name: string, selector: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: serverMeta(name, NS),
  spec: { selector },
});

export function seededObjects(): KubeObject[] {
  return [
    corednsDeployment(),
    corednsConfigMap(),
    metricsServerDeployment(),
    ciliumOperatorDeployment(),
    service('kube-dns', { 'k8s-app': 'kube-dns' }),
    service('metrics-server', { 'k8s-app': 'metrics-server' }),
  ];
}

/** A mutable cluster for pure tests: objects by ref, nodes, PDBs. */
export class FakeCluster {
  objects = new Map<string, KubeObject>();
  nodes: KubeObject[];
  constructor(objects: KubeObject[] = seededObjects(), nodes: KubeObject[] = kapsuleNodes()) {
    for (const object of objects) this.put(object);
    this.nodes = nodes;
  }
  put(object: KubeObject): void {
    this.objects.set(refKey({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }), object);
  }
  view(): ClusterView {
    return {
      namespace: NS,
      nodes: this.nodes,
      podDisruptionBudgets: [...this.objects.values()].filter((object) => object.kind === 'PodDisruptionBudget'),
      get: (ref) => this.objects.get(refKey(ref)),
    };
  }
  live() {
    return this.objects as ReadonlyMap<string, KubeObject | undefined>;
  }
}
