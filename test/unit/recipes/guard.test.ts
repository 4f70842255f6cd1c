// The guard's objects as a recipe: what install plans, that a re-run plans nothing, that
// its RBAC covers exactly what check-drift reads and enable needs, and the schedule check.
import { describe, expect, it } from 'vitest';
import { plan, refKey } from '../../../src/engine/plan.ts';
import { writesOf } from '../../../src/engine/types.ts';
import { writeRounds } from '../../../src/engine/order.ts';
import type { AccessCheck, KubeClient, KubeObject, ObjectRef } from '../../../src/kube/types.ts';
import { resourceInfo } from '../../../src/kube/resources.ts';
import { readSnapshot } from '../../../src/engine/read.ts';
import { cronProblem } from '../../../src/recipes/cron.ts';
import {
  clusterRules,
  componentsRules,
  DEFAULT_SCHEDULE,
  defaultImage,
  guardInstall,
  guardObjects,
  guardRemoval,
  liveGuardSettings,
  type GuardSettings,
  type PolicyRule,
} from '../../../src/recipes/guard.ts';
import { RECIPES } from '../../../src/recipes/index.ts';
import { requiredAccess } from '../../../src/verbs/permissions.ts';
import { planFrom } from '../../../src/verbs/planning.ts';
import { DEFAULT_IMAGE, VERSION } from '../../../src/version.ts';
import { FakeCluster, metricsApiService } from '../../lib/fixtures.ts';

const settings: GuardSettings = { namespace: 'kube-system', schedule: DEFAULT_SCHEDULE, image: DEFAULT_IMAGE, repair: false };
const byKind = (kind: string, objects = guardObjects(settings)) => objects.filter((object) => object.kind === kind);
const cronJobOf = (objects: KubeObject[]) => byKind('CronJob', objects)[0]!;
type PodSpec = Record<string, unknown> & { containers: Record<string, unknown>[]; securityContext: Record<string, unknown> };
const podSpecOf = (cronJob: KubeObject) =>
  (cronJob.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template.spec;

/** RBAC's rule matching, for one access check (resourceNames only restrict named requests). */
function allows(rules: PolicyRule[], check: AccessCheck): boolean {
  const resource = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  return rules.some(
    (rule) =>
      (rule.apiGroups.includes(check.group) || rule.apiGroups.includes('*')) &&
      (rule.resources.includes(resource) || rule.resources.includes('*')) &&
      (rule.verbs.includes(check.verb) || rule.verbs.includes('*')) &&
      (!rule.resourceNames?.length || (check.name !== undefined && rule.resourceNames.includes(check.name))),
  );
}
const rulesFor = (check: AccessCheck, repair: boolean) => (check.namespace ? componentsRules('kube-system', repair) : clusterRules('kube-system', repair));

describe('guard install', () => {
  it('plans its namespace, identity, RBAC, result and CronJob; a second run plans nothing', () => {
    const first = plan(guardInstall(settings), new Map());
    expect(writesOf(first).map((step) => `${step.action} ${step.ref.kind}/${step.ref.namespace ?? ''}/${step.ref.name}`)).toEqual([
      'create Namespace//kapsule-ha',
      'create ServiceAccount/kapsule-ha/kapsule-ha-guard',
      'create ConfigMap/kapsule-ha/kapsule-ha-guard-result',
      'create Role/kapsule-ha/kapsule-ha-guard',
      'create RoleBinding/kapsule-ha/kapsule-ha-guard',
      'create Role/kube-system/kapsule-ha-guard',
      'create RoleBinding/kube-system/kapsule-ha-guard',
      'create ClusterRole//kapsule-ha:guard',
      'create ClusterRoleBinding//kapsule-ha:guard',
      'create CronJob/kapsule-ha/kapsule-ha-guard',
    ]);
    const live = new Map(writesOf(first).map((step) => [refKey(step.ref), step.action === 'create' ? step.object : undefined]));
    // A result written by the guard is not undone by a re-install.
    const result = [...live.values()].find((object) => object?.kind === 'ConfigMap')!;
    result.data = { result: '{}' };
    expect(writesOf(plan(guardInstall(settings), live))).toEqual([]);
  });

  it('creates its namespace first, then what lives in it, bindings and the CronJob last', () => {
    const rounds = writeRounds(writesOf(plan(guardInstall(settings), new Map())));
    expect(rounds.map((round) => [...new Set(round.map((step) => step.ref.kind))])).toEqual([
      ['Namespace'],
      ['ServiceAccount', 'ConfigMap', 'Role', 'ClusterRole'],
      ['RoleBinding', 'ClusterRoleBinding', 'CronJob'],
    ]);
  });

  it('changes only the schedule when only the schedule changes', () => {
    const live = new Map(guardObjects(settings).map((object) => [refKey({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }), object]));
    const changed = writesOf(plan(guardInstall({ ...settings, schedule: '0 * * * *' }), live));
    expect(changed.map((step) => step.action === 'patch' && step.patch.slice(1))).toEqual([[{ op: 'replace', path: '/spec/schedule', value: '0 * * * *' }]]);
  });

  it('is safe by construction: one run at a time, bounded, no retry, a pod the restricted profile admits', () => {
    const namespace = byKind('Namespace')[0]!;
    expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const cronJob = cronJobOf(guardObjects(settings));
    const spec = cronJob.spec as Record<string, unknown> & { jobTemplate: { spec: Record<string, unknown> } };
    expect(spec).toMatchObject({ concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
    expect(spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 600 });
    const pod = podSpecOf(cronJob);
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: true, enableServiceLinks: false, serviceAccountName: 'kapsule-ha-guard' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const container = pod.containers[0]!;
    expect(container).toMatchObject({
      image: DEFAULT_IMAGE,
      args: ['guard', 'run'],
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
    });
    expect(cronJob.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': VERSION, 'app.kubernetes.io/managed-by': 'kubectl-kapsule-ha' });
  });

  it('records its mode in the CronJob, read back as the settings a re-run keeps', () => {
    const cronJob = cronJobOf(guardObjects({ ...settings, repair: true, schedule: '@hourly', image: 'mirror.example/k:v1' }));
    expect(podSpecOf(cronJob).containers[0]!.args).toEqual(['guard', 'run', '--repair']);
    expect(liveGuardSettings(cronJob)).toEqual({ schedule: '@hourly', image: 'mirror.example/k:v1', repair: true });
    expect(liveGuardSettings(undefined)).toEqual({});
  });

  it("keeps a mirror image, moves this plugin's own image to this version", () => {
    expect(defaultImage(undefined)).toBe(DEFAULT_IMAGE);
    expect(defaultImage(DEFAULT_IMAGE.replace(/:v.*$/, ':v0.0.1'))).toBe(DEFAULT_IMAGE);
    expect(defaultImage('registry.example.com/mirror/kubectl-kapsule-ha:v0.1.0')).toBe('registry.example.com/mirror/kubectl-kapsule-ha:v0.1.0');
  });

  it('remove deletes every object it installed, and nothing else', () => {
    const live = new Map(guardObjects(settings).map((object) => [refKey({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }), { ...object, metadata: { ...object.metadata, uid: 'u' } }]));
    const removal = writesOf(plan(guardRemoval('kube-system'), live));
    expect(removal.every((step) => step.action === 'delete')).toBe(true);
    expect(removal).toHaveLength(guardObjects(settings).length);
  });
});

describe("the guard's access", () => {
  it('check-only: may make every read check-drift makes, and writes nothing in the components namespace but Events', async () => {
    const rules = componentsRules('kube-system', false);
    const writes = rules.filter((rule) => rule.verbs.some((verb) => !['get', 'list', 'watch'].includes(verb)));
    expect(writes).toEqual([{ apiGroups: [''], resources: ['events'], verbs: ['create'] }]);
    expect(rules.flatMap((rule) => rule.resources)).not.toContain('secrets');
    // The reads check-drift's snapshot really makes, recorded as access checks.
    const reads: AccessCheck[] = [];
    const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
    const recorder = {
      get: async (ref: ObjectRef) => {
        reads.push({ verb: 'get', group: group(ref.apiVersion), resource: resourceInfo(ref.apiVersion, ref.kind).plural, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) });
        return undefined;
      },
      list: async (apiVersion: string, kind: string, options?: { namespace?: string }) => {
        reads.push({ verb: 'list', group: group(apiVersion), resource: resourceInfo(apiVersion, kind).plural, ...(options?.namespace ? { namespace: options.namespace } : {}) });
        return [];
      },
    } as Partial<KubeClient> as KubeClient;
    await readSnapshot(recorder, 'kube-system', Object.values(RECIPES));
    expect(reads.map((read) => read.verb)).toContain('list');
    for (const read of reads) expect(allows(rulesFor(read, false), read), `${read.verb} ${read.resource} ${read.name ?? ''}`).toBe(true);
    expect(clusterRules('kube-system', false).filter((rule) => rule.verbs.some((verb) => verb !== 'get' && verb !== 'list'))).toEqual([]);
  });

  it('repair: everything enable asks the API server for (its access review), from Kapsule as shipped', () => {
    const cluster = new FakeCluster();
    cluster.put(metricsApiService()); // as Kapsule ships it: enable's waits then watch it
    const { plans } = planFrom({ view: cluster.view(), live: cluster.live() }, ['cilium-operator', 'coredns', 'metrics-server'], 'enable', {});
    const required = requiredAccess(plans, 'kube-system');
    expect(required.length).toBeGreaterThan(10);
    for (const { check, display } of required) expect(allows(rulesFor(check, true), check), display).toBe(true);
    for (const { check, display } of required.filter((entry) => !entry.check.verb.startsWith('get') && entry.check.verb !== 'list')) {
      if (check.resource === 'events') continue;
      expect(allows(rulesFor(check, false), check), `check-only must not ${display}`).toBe(false);
    }
  });
});

describe('--schedule', () => {
  it.each(['*/30 * * * *', '0 3 * * 1-5', '15,45 */2 1 jan-jun sun', '@hourly', '@every 1h30m', '0 0 ? * 7'])('accepts %s', (schedule) => {
    expect(cronProblem(schedule)).toBeUndefined();
  });
  it.each([
    ['', /empty/],
    ['*/30 * * *', /4 fields/],
    ['61 * * * *', /minute "61": 61 is outside 0-59/],
    ['* 24 * * *', /hour/],
    ['*/0 * * * *', /step/],
    ['5-1 * * * *', /backwards/],
    ['* * * foo *', /month "foo"/],
    ['@often', /unknown descriptor/],
    ['TZ=UTC 0 * * * *', /time zone/],
  ])('refuses "%s"', (schedule, why) => {
    expect(cronProblem(schedule)).toMatch(why);
  });
});
