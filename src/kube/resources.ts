// The kinds the plugin touches, mapped to their REST paths without discovery
// round-trips. A kind missing here is a programming error, not a user error.
import type { ObjectRef } from './types.ts';

export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const TABLE: ResourceInfo[] = [
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', namespaced: true },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', plural: 'roles', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false },
  { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', plural: 'apiservices', namespaced: false },
];

const BY_KIND = new Map(TABLE.map((info) => [`${info.apiVersion}/${info.kind}`, info]));

export function resourceInfo(apiVersion: string, kind: string): ResourceInfo {
  const info = BY_KIND.get(`${apiVersion}/${kind}`);
  if (!info) throw new Error(`${kind} (${apiVersion}) is not in the plugin's resource table (src/kube/resources.ts)`);
  return info;
}

/** /api/v1 or /apis/<group>/<version>. */
function groupPrefix(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export function collectionPath(apiVersion: string, kind: string, namespace: string | undefined): string {
  const info = resourceInfo(apiVersion, kind);
  if (info.namespaced && !namespace) return `${groupPrefix(apiVersion)}/${info.plural}`; // all namespaces
  const scope = info.namespaced ? `/namespaces/${encodeURIComponent(namespace!)}` : '';
  return `${groupPrefix(apiVersion)}${scope}/${info.plural}`;
}

export function objectPath(ref: ObjectRef): string {
  const info = resourceInfo(ref.apiVersion, ref.kind);
  if (info.namespaced && !ref.namespace) throw new Error(`${ref.kind} "${ref.name}" needs a namespace`);
  const base = `${collectionPath(ref.apiVersion, ref.kind, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  return ref.subresource ? `${base}/${ref.subresource}` : base;
}

/** kubectl's name for a resource in messages: deployments.apps, pods, deployments.apps/scale. */
export function resourceName(apiVersion: string, kind: string, subresource?: string): string {
  const info = resourceInfo(apiVersion, kind);
  const group = apiVersion.includes('/') ? `.${apiVersion.split('/')[0]}` : '';
  return `${info.plural}${group}${subresource ? `/${subresource}` : ''}`;
}
