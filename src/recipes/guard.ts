// The in-cluster guard, declared like a component: its namespace (Pod Security
// `restricted` enforced), ServiceAccount, least-privilege RBAC, the place of its last
// result, and the CronJob running this plugin's `guard run`. The engine plans, diffs,
// applies and removes it like any component: ownership marks, idempotent re-runs.
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import { resourceInfo } from '../kube/resources.ts';
import type { DesiredObject, DesiredState } from '../engine/types.ts';
import { LISTED_KINDS } from '../engine/read.ts';
import { DEFAULT_IMAGE, IMAGE_REPOSITORY, VERSION } from '../version.ts';
import { autoscalerObjects, DEFAULT_LINEAR_PARAMS } from './autoscaler.ts';
import { RECIPES } from './index.ts';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../engine/ownership.ts';
import { removals } from './shared.ts';

export const GUARD_NAMESPACE = 'kapsule-ha';
export const GUARD_NAME = 'kapsule-ha-guard';
/** The ConfigMap the guard writes its last result to (key `result`, JSON). */
export const GUARD_RESULT = 'kapsule-ha-guard-result';
export const GUARD_CLUSTER_ROLE = 'kapsule-ha:guard';
export const DEFAULT_SCHEDULE = '*/30 * * * *';
/** A run longer than this is killed (a repair waits for rollouts: enable's 5m plus reads). */
export const GUARD_DEADLINE_SECONDS = 600;
export const VERSION_LABEL = 'app.kubernetes.io/version';
const NAME_LABEL = 'app.kubernetes.io/name';
const RBAC = 'rbac.authorization.k8s.io';

export interface GuardSettings {
  /** Namespace of the components it checks (kube-system). */
  namespace: string;
  schedule: string;
  image: string;
  repair: boolean;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const meta = (name: string, namespace?: string, labels: Record<string, string> = {}) => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [NAME_LABEL]: GUARD_NAME, ...labels },
});

const refOf = (object: KubeObject): ObjectRef => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  name: object.metadata.name,
  ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
});

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** Every object the components' recipes may read, by kind: what `check-drift` reads. */
function componentRefs(namespace: string): ObjectRef[] {
  const refs = Object.values(RECIPES).flatMap((recipe) => recipe.refs(namespace));
  return [...new Map(refs.map((ref) => [`${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`, ref])).values()];
}

/** Named gets, grouped by resource: rules that read exactly these objects. */
function namedGets(refs: ObjectRef[]): PolicyRule[] {
  const byResource = new Map<string, { group: string; resource: string; names: string[] }>();
  for (const ref of refs) {
    const resource = resourceInfo(ref.apiVersion, ref.kind).plural;
    const key = `${groupOf(ref.apiVersion)}/${resource}`;
    const entry = byResource.get(key) ?? { group: groupOf(ref.apiVersion), resource, names: [] };
    entry.names.push(ref.name);
    byResource.set(key, entry);
  }
  return [...byResource.values()].map(({ group, resource, names }) => ({ apiGroups: [group], resources: [resource], resourceNames: [...new Set(names)].sort(), verbs: ['get'] }));
}

/**
 * In the components' namespace. Check-only: list the kinds check-drift lists (PodDisruptionBudgets,
 * Deployments, Services), get each other object it reads (by name), create Events. Repair
 * adds what `enable` writes and waits on, and the rules of the autoscaler's Role (RBAC
 * lets nobody grant what they do not hold).
 */
export function componentsRules(namespace: string, repair: boolean): PolicyRule[] {
  const refs = componentRefs(namespace);
  const local = refs.filter((ref) => ref.namespace !== undefined);
  const listed = (ref: ObjectRef) => LISTED_KINDS.some((kind) => kind.apiVersion === ref.apiVersion && kind.kind === ref.kind);
  const rules: PolicyRule[] = [
    ...namedGets(local.filter((ref) => !listed(ref))),
    // The kinds check-drift reads with one list of the namespace (engine/read.ts).
    ...LISTED_KINDS.map((kind) => ({ apiGroups: [groupOf(kind.apiVersion)], resources: [resourceInfo(kind.apiVersion, kind.kind).plural], verbs: ['list'] })),
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  ];
  if (!repair) return rules;
  const autoscalerRole = autoscalerObjects(namespace, RECIPES.coredns.copy!, DEFAULT_LINEAR_PARAMS, []).find((object) => object.kind === 'Role') as unknown as { rules: PolicyRule[] };
  return [
    ...rules,
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'patch', 'list', 'watch'] },
    { apiGroups: [''], resources: ['configmaps', 'serviceaccounts'], verbs: ['create', 'patch'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['create', 'patch'] },
    { apiGroups: [RBAC], resources: ['roles', 'rolebindings'], verbs: ['create', 'patch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ...autoscalerRole.rules,
  ];
}

/** Cluster-wide: the nodes (zones, pools, the autoscaler's arithmetic), the metrics APIService, and our autoscaler's ClusterRole and binding. */
export function clusterRules(namespace: string, repair: boolean): PolicyRule[] {
  const clusterRefs = componentRefs(namespace).filter((ref) => ref.namespace === undefined);
  const rules: PolicyRule[] = [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }, ...namedGets(clusterRefs)];
  if (!repair) return rules;
  const autoscalerClusterRole = autoscalerObjects(namespace, '', DEFAULT_LINEAR_PARAMS, []).find((object) => object.kind === 'ClusterRole') as unknown as { rules: PolicyRule[] };
  return [
    ...rules,
    { apiGroups: [RBAC], resources: ['clusterroles', 'clusterrolebindings'], verbs: ['create', 'patch'] },
    // metrics-server's waits follow its APIService until the metrics API is Available.
    { apiGroups: ['apiregistration.k8s.io'], resources: ['apiservices'], verbs: ['watch'] },
    ...autoscalerClusterRole.rules,
  ];
}

/** What `guard run` is given; the CronJob's args are where the mode is recorded. */
export const guardArgs = (settings: GuardSettings): string[] => [
  'guard',
  'run',
  ...(settings.namespace === 'kube-system' ? [] : ['--namespace', settings.namespace]),
  ...(settings.repair ? ['--repair'] : []),
];

export function guardObjects(settings: GuardSettings): KubeObject[] {
  const subject = [{ kind: 'ServiceAccount', name: GUARD_NAME, namespace: GUARD_NAMESPACE }];
  const podLabels = { [MANAGED_BY_LABEL]: MANAGED_BY, [NAME_LABEL]: GUARD_NAME };
  const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, namespace?: string) => ({
    apiVersion: `${RBAC}/v1`,
    kind,
    metadata: meta(name, namespace),
    subjects: subject,
    roleRef: { apiGroup: RBAC, kind: kind === 'RoleBinding' ? 'Role' : 'ClusterRole', name },
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta(GUARD_NAMESPACE, undefined, {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      }),
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(GUARD_NAME, GUARD_NAMESPACE) },
    // Created empty; only the guard writes its data (subset: a re-install leaves it alone).
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(GUARD_RESULT, GUARD_NAMESPACE) },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: meta(GUARD_NAME, GUARD_NAMESPACE),
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [GUARD_RESULT], verbs: ['get', 'patch'] }],
    },
    binding('RoleBinding', GUARD_NAME, GUARD_NAMESPACE),
    { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: meta(GUARD_NAME, settings.namespace), rules: componentsRules(settings.namespace, settings.repair) },
    binding('RoleBinding', GUARD_NAME, settings.namespace),
    { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: meta(GUARD_CLUSTER_ROLE), rules: clusterRules(settings.namespace, settings.repair) },
    binding('ClusterRoleBinding', GUARD_CLUSTER_ROLE),
    cronJob(settings, podLabels),
  ];
}

function cronJob(settings: GuardSettings, podLabels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta(GUARD_NAME, GUARD_NAMESPACE, { [VERSION_LABEL]: VERSION }),
    spec: {
      schedule: settings.schedule,
      concurrencyPolicy: 'Forbid',
      // A run missed by more than this (control plane down, the upgrade itself) waits for the next.
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: podLabels },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: GUARD_DEADLINE_SECONDS,
          template: {
            metadata: { labels: podLabels },
            spec: {
              serviceAccountName: GUARD_NAME,
              automountServiceAccountToken: true,
              enableServiceLinks: false,
              restartPolicy: 'Never',
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65532,
                runAsGroup: 65532,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                {
                  name: 'guard',
                  image: settings.image,
                  args: guardArgs(settings),
                  env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                  resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    capabilities: { drop: ['ALL'] },
                  },
                },
              ],
            },
          },
        },
      },
    },
  };
}

/** Every object of the guard, in creation order (names depend only on the components' namespace). */
export const guardRefs = (namespace: string): ObjectRef[] =>
  guardObjects({ namespace, schedule: DEFAULT_SCHEDULE, image: DEFAULT_IMAGE, repair: false }).map(refOf);

const PURPOSES: Record<string, string> = {
  Namespace: 'the guard\'s namespace (Pod Security "restricted" enforced)',
  ServiceAccount: 'the identity the guard runs as',
  ConfigMap: "the guard's last result",
  Role: "the guard's access",
  RoleBinding: "the guard's access",
  ClusterRole: "the guard's read access to nodes",
  ClusterRoleBinding: "the guard's read access to nodes",
  CronJob: 'runs the guard on its schedule',
};

export function guardInstall(settings: GuardSettings): DesiredState {
  const objects: DesiredObject[] = guardObjects(settings).map((object) => ({
    object,
    ref: refOf(object),
    mode: 'subset',
    owned: true,
    purpose: PURPOSES[object.kind]!,
  }));
  return { component: 'guard', warnings: [], stages: [{ objects }] };
}

/** Uninstall: every object goes together (the namespace takes its Jobs and pods with it). */
export function guardRemoval(namespace: string): DesiredState {
  const objects = removals(guardRefs(namespace).reverse().map((ref) => ({ ref, purpose: PURPOSES[ref.kind]! })));
  return { component: 'guard', warnings: [], stages: [{ objects }] };
}

/** The settings the live CronJob records: what a flag left out keeps. */
export function liveGuardSettings(cronJob: KubeObject | undefined): Partial<GuardSettings> {
  const spec = cronJob?.spec as { schedule?: string; jobTemplate?: { spec?: { template?: { spec?: { containers?: { image?: string; args?: string[] }[] } } } } } | undefined;
  const container = spec?.jobTemplate?.spec?.template?.spec?.containers?.[0];
  if (!spec || !container) return {};
  return { schedule: spec.schedule, image: container.image, repair: container.args?.includes('--repair') ?? false };
}

/**
 * The image when --image is left out: this version's own, unless the live guard runs an
 * image of the user's choice (a mirror), which is kept.
 */
export function defaultImage(liveImage: string | undefined): string {
  if (liveImage === undefined || liveImage.startsWith(`${IMAGE_REPOSITORY}:`)) return DEFAULT_IMAGE;
  return liveImage;
}

/** The plugin version the installed guard was made by. */
export const installedVersion = (cronJob: KubeObject | undefined): string | undefined => cronJob?.metadata.labels?.[VERSION_LABEL];
