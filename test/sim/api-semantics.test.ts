// The simulator answers as a real API server does, and its audit log says who asked what.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiClient, auditOffset, createTestNamespace, info, readAudit, reset, waitForAudit, type Api } from './sim.ts';
import { pollUntil } from './lib/settle.ts';

const userAgent = `sim-api-semantics-test/${process.pid}`;
let admin: Api;
let restricted: Api;
let namespace: string;
let auditStart: number;

beforeAll(async () => {
  await reset();
  admin = apiClient({ userAgent });
  restricted = apiClient({ as: 'restricted', userAgent });
  namespace = await createTestNamespace('semantics');
  auditStart = auditOffset();
});
afterAll(() => {
  admin.close();
  restricted.close();
});

const pod = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
});

describe('API semantics', () => {
  test('an eviction that a PodDisruptionBudget (minAvailable 1 over 1 pod) forbids fails with 429', async () => {
    await admin.request('POST', `/api/v1/namespaces/${namespace}/pods`, { body: pod('guarded', { app: 'guarded' }) });
    await admin.request('POST', `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets`, {
      body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guarded' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } },
    });
    // The disruption controller must have counted the Ready pod first.
    await pollUntil('the PDB to count 1 healthy pod', 30_000, async () => {
      const { body } = await admin.get(`/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/guarded`);
      return body.status?.currentHealthy === 1 && body.status?.observedGeneration === body.metadata.generation ? undefined : JSON.stringify(body.status);
    });
    const eviction = await admin.request('POST', `/api/v1/namespaces/${namespace}/pods/guarded/eviction`, {
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'guarded', namespace } },
      accept: [429],
    });
    expect(eviction.status).toBe(429);
    expect(eviction.body.details.causes).toContainEqual(expect.objectContaining({ reason: 'DisruptionBudget' }));
    expect((await admin.get(`/api/v1/namespaces/${namespace}/pods/guarded`)).body.metadata.deletionTimestamp).toBeUndefined();
  });

  test('a JSON patch removing a label that is not there is rejected with 422', async () => {
    await admin.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patched', labels: { present: 'yes' } } } });
    const patch = await admin.request('PATCH', `/api/v1/namespaces/${namespace}/configmaps/patched`, {
      body: [{ op: 'remove', path: '/metadata/labels/absent' }],
      contentType: 'application/json-patch+json',
      accept: [422],
    });
    expect(patch.status).toBe(422);
    // A real API server's words for a JSON patch that does not apply.
    expect(patch.body.message).toBe('the server rejected our request due to an error in our request');
  });

  test('the restricted user is forbidden (403) until a Role grants it, then allowed (200)', async () => {
    const podsPath = `/api/v1/namespaces/${namespace}/pods`;
    expect((await restricted.request('GET', podsPath, { accept: [403] })).status).toBe(403);
    expect((await restricted.request('GET', '/apis/apps/v1/namespaces/kube-system/deployments', { accept: [403] })).status).toBe(403);
    await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
    });
    await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'pod-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: info().restrictedUser }],
      },
    });
    // The RBAC authorizer reads bindings from a watch cache: a new grant takes effect a moment later.
    await pollUntil('the Role to take effect', 5000, async () => ((await restricted.request('GET', podsPath, { accept: [403] })).status === 200 ? undefined : '200'));
    expect((await restricted.request('DELETE', `${podsPath}/guarded`, { accept: [403] })).status).toBe(403);
  });

  test('the audit log records each of these requests once, with its user, user agent, verb, resource and code', async () => {
    const ours = (event: { userAgent?: string }) => event.userAgent === userAgent;
    // The last request above: once it is logged, all are.
    await waitForAudit((event) => ours(event) && event.verb === 'delete', { sinceOffset: auditStart });
    const events = readAudit(auditStart).events.filter(ours);
    const summary = events.map((e) => [e.user.username, e.verb, e.objectRef?.resource, e.objectRef?.subresource ?? '', e.responseStatus?.code].join(' '));
    expect(summary).toEqual(
      expect.arrayContaining([
        'admin create pods eviction 429',
        'admin patch configmaps  422',
        'restricted list pods  403',
        'restricted list deployments  403',
        'restricted list pods  200',
        'restricted delete pods  403',
      ]),
    );
    expect(new Set(events.map((e) => e.auditID)).size).toBe(events.length);
    expect(events.every((e) => e.stage === 'ResponseComplete')).toBe(true);
  });
});
