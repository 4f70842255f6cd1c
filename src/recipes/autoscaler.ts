import type { KubeObject } from '../kube/types.ts';
import type { DesiredObject } from '../engine/types.ts';
import { allocatableCores } from './cluster.ts';
import { MANAGED_BY, MANAGED_BY_LABEL, isOurs } from '../engine/ownership.ts';
import type { ClusterView } from '../engine/types.ts';
import { applyPools } from './placement.ts';

export const AUTOSCALER_IMAGE = 'registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.10.3';
export const AUTOSCALER_NAME = 'kube-dns-autoscaler';
/** Cluster-scoped names must not collide with the guide's system:kube-dns-autoscaler. */
export const AUTOSCALER_CLUSTER_ROLE = 'kapsule-ha:kube-dns-autoscaler';

export interface LinearParams {
  coresPerReplica: number;
  nodesPerReplica: number;
  min: number;
  max?: number;
  preventSinglePointFailure: boolean;
  includeUnschedulableNodes: boolean;
}

/** cluster-proportional-autoscaler's linear mode: the replica count it will set. */
export function linearReplicas(params: LinearParams, nodes: KubeObject[]): number {
  const counted = params.includeUnschedulableNodes
    ? nodes
    : nodes.filter((node) => !(node.spec as { unschedulable?: boolean } | undefined)?.unschedulable);
  const cores = counted.reduce((sum, node) => sum + allocatableCores(node), 0);
  const byCores = params.coresPerReplica > 0 ? Math.ceil(cores / params.coresPerReplica) : 1;
  const byNodes = params.nodesPerReplica > 0 ? Math.ceil(counted.length / params.nodesPerReplica) : 1;
  let replicas = Math.max(byCores, byNodes);
  if (params.max) replicas = Math.min(replicas, params.max);
  replicas = Math.max(replicas, params.min || 1);
  if (params.preventSinglePointFailure && counted.length > 1 && replicas < 2) replicas = 2;
  return replicas;
}

/** The parameters in our autoscaler's ConfigMap, if it exists, is ours and holds valid ones. */
export function liveLinearParams(view: ClusterView): LinearParams | undefined {
  const configMap = view.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: view.namespace, name: AUTOSCALER_NAME });
  if (!configMap || !isOurs(configMap.metadata.labels)) return undefined;
  const linear = (configMap.data as Record<string, string> | undefined)?.linear;
  if (!linear) return undefined;
  try {
    return JSON.parse(linear) as LinearParams;
  } catch {
    return undefined;
  }
}

const ourMetadata = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: { [MANAGED_BY_LABEL]: MANAGED_BY, 'k8s-app': AUTOSCALER_NAME },
});

const ref = (object: KubeObject) => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  name: object.metadata.name,
  ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
});

/**
 * The autoscaler, least privilege: its parameters are pre-created, so it only reads its
 * ConfigMap, lists and watches nodes, and scales its one target.
 */
export function autoscalerObjects(namespace: string, target: string, params: LinearParams, pools: string[]): KubeObject[] {
  const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: ourMetadata(AUTOSCALER_NAME, namespace) };
  const subjects = [{ kind: 'ServiceAccount', name: AUTOSCALER_NAME, namespace }];
  const podSpec = {
    serviceAccountName: AUTOSCALER_NAME,
    priorityClassName: 'system-cluster-critical',
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      fsGroup: 65534,
      supplementalGroups: [65534],
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: 'autoscaler',
        image: AUTOSCALER_IMAGE,
        command: [
          '/cluster-proportional-autoscaler',
          `--namespace=${namespace}`,
          `--configmap=${AUTOSCALER_NAME}`,
          `--target=Deployment/${target}`,
          '--logtostderr=true',
          '--v=2',
        ],
        resources: { requests: { cpu: '20m', memory: '10Mi' }, limits: { memory: '64Mi' } },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
  };
  applyPools(podSpec, pools);
  // Compared as a subset, so an unpinned spec must say that the affinity goes.
  const spec: Record<string, unknown> = pools.length > 0 ? podSpec : { ...podSpec, affinity: null };
  return [
    serviceAccount,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: ourMetadata(AUTOSCALER_CLUSTER_ROLE),
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: ourMetadata(AUTOSCALER_CLUSTER_ROLE),
      subjects,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AUTOSCALER_CLUSTER_ROLE },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: ourMetadata(AUTOSCALER_NAME, namespace),
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [AUTOSCALER_NAME], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['deployments/scale'], resourceNames: [target], verbs: ['get', 'update'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: ourMetadata(AUTOSCALER_NAME, namespace),
      subjects,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AUTOSCALER_NAME },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: ourMetadata(AUTOSCALER_NAME, namespace),
      data: { linear: JSON.stringify(params) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: ourMetadata(AUTOSCALER_NAME, namespace),
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'k8s-app': AUTOSCALER_NAME } },
        template: { metadata: { labels: { 'k8s-app': AUTOSCALER_NAME } }, spec },
      },
    },
  ];
}

/** Authored objects: the server fills in defaults, so they are compared as subsets. */
export const autoscalerDesired = (objects: KubeObject[]): DesiredObject[] =>
  objects.map((object) => ({
    object,
    ref: ref(object),
    mode: 'subset',
    owned: true,
    purpose: `${object.kind} of the proportional DNS autoscaler`,
  }));

export const DEFAULT_LINEAR_PARAMS: LinearParams = {
  coresPerReplica: 256,
  nodesPerReplica: 16,
  min: 1,
  preventSinglePointFailure: true,
  includeUnschedulableNodes: true,
};

/** The autoscaler's objects, in creation order (names only depend on the namespace). */
export const autoscalerRefs = (namespace: string) => autoscalerObjects(namespace, '', DEFAULT_LINEAR_PARAMS, []).map(ref);

