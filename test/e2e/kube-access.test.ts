// The access layer against a real kube-apiserver (the simulator): its kubeconfig with
// TLS and bearer tokens, contexts, real Status errors and dry runs, the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sim from '../sim/sim.ts';
import { connect } from '../../src/kube/connect.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import type { KubeClient } from '../../src/kube/types.ts';
import type { GlobalOptions } from '../../src/verbs/options.ts';
import { cli } from '../lib/in-process-cli.ts';

const coredns = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' };
let info: sim.SimInfo;
let namespace: string;

function clientAs(context: 'admin' | 'restricted'): Promise<KubeClient> {
  const options: GlobalOptions = {
    kubeconfig: info.kubeconfig,
    context,
    cluster: undefined,
    user: undefined,
    namespace: 'kube-system',
    requestTimeoutMs: 20_000,
    verbosity: 0,
    color: 'never',
    output: 'text',
  };
  return connect(options, { log: () => {}, env: {} });
}

beforeAll(async () => {
  info = sim.info();
  namespace = await sim.createTestNamespace('kube-access');
});

afterAll(async () => {
  await sim.kubectl(['delete', 'namespace', namespace, '--wait=false']);
});

describe('the access layer against the simulator', () => {
  it('reads kube-system objects as raw JSON with the admin context, over TLS with the kubeconfig\'s CA', async () => {
    const client = await clientAs('admin');
    const deployment = await client.get(coredns);
    expect(deployment).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system' } });
    expect(deployment?.metadata.managedFields).toBeDefined(); // nothing dropped by a typed model
    const nodes = await client.list('v1', 'Node');
    expect(nodes.length).toBeGreaterThanOrEqual(3);
    expect(nodes.every((node) => node.kind === 'Node' && node.apiVersion === 'v1')).toBe(true);
  });

  it('the restricted context is refused with a 403 naming the verb and the resource', async () => {
    const client = await clientAs('restricted');
    const error = await client.patch(coredns, { spec: { replicas: 2 } }, 'merge').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(403);
    expect((error as Error).message).toMatch(/^Error from server \(Forbidden\): deployments.apps "coredns" is forbidden: User "[^"]+" cannot patch resource "deployments" in API group "apps" in the namespace "kube-system"/);
    expect(await client.canI([{ verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'kube-system' }])).toEqual([false]);
    expect(await (await clientAs('admin')).canI([{ verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'kube-system' }])).toEqual([true]);
  });

  it('a server-side dry run is admitted but not persisted; the real create is', async () => {
    const client = await clientAs('admin');
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe', namespace }, data: { key: 'value' } };
    await client.create(configMap, { dryRun: true });
    expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'probe', namespace })).toBeUndefined();
    const created = await client.create(configMap);
    expect(created.metadata.uid).toBeTruthy();
    const again = await client.create(configMap).catch((caught: unknown) => caught);
    expect(again).toMatchObject({ status: 409, reason: 'AlreadyExists' });
  });

  it('an invalid object is reported with the field the server names (422)', async () => {
    const client = await clientAs('admin');
    const error = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_A_Name', namespace } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 422, reason: 'Invalid' });
    expect((error as Error).message).toMatch(/^Error from server \(Invalid\): ConfigMap "Not_A_Name" is invalid: metadata.name: Invalid value/);
  });

  it('a JSON patch guarded by a stale resourceVersion is refused, and deleting twice is fine', async () => {
    const client = await clientAs('admin');
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'guarded', namespace };
    const created = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'guarded', namespace }, data: { a: '1' } });
    await client.patch(ref, { data: { a: '2' } }, 'merge');
    const stale = [{ op: 'test', path: '/metadata/resourceVersion', value: created.metadata.resourceVersion }, { op: 'replace', path: '/data/a', value: '3' }];
    await expect(client.patch(ref, stale, 'json')).rejects.toMatchObject({ status: 422 });
    await client.delete(ref, { uid: created.metadata.uid });
    await client.delete(ref);
    expect(await client.get(ref)).toBeUndefined();
  });

  it('requests carry the plugin\'s User-Agent in the audit log', async () => {
    const offset = sim.auditOffset();
    await (await clientAs('admin')).serverVersion();
    const events = await sim.waitForAudit((event) => event.requestURI === '/version' && (event.userAgent ?? '').startsWith('kubectl-kapsule_ha/'), { sinceOffset: offset });
    expect(events.length).toBeGreaterThan(0);
  });

  it('talks HTTP/2 to the API server, as kubectl does: concurrent requests share one session', async () => {
    const lines: string[] = [];
    const options: GlobalOptions = { kubeconfig: info.kubeconfig, context: 'admin', cluster: undefined, user: undefined, namespace: 'kube-system', requestTimeoutMs: 20_000, verbosity: 9, color: 'never', output: 'text' };
    const client = await connect(options, { log: (level, message) => level <= 7 && lines.push(message()), env: {} });
    const offset = sim.auditOffset();
    const objects = await Promise.all(Array.from({ length: 12 }, () => client.get(coredns)));
    expect(objects.every((object) => object?.metadata.name === 'coredns')).toBe(true);
    expect(lines.filter((line) => /HTTP\/2 session in \d+ ms/.test(line))).toHaveLength(1);
    const events = await sim.waitForAudit((event) => event.requestURI === '/apis/apps/v1/namespaces/kube-system/deployments/coredns' && (event.userAgent ?? '').startsWith('kubectl-kapsule_ha/'), { sinceOffset: offset, count: 12 });
    expect(events.length).toBeGreaterThanOrEqual(12);
  });

  it('the CLI picks the context from the simulator\'s kubeconfig, and an unknown one is bad input', async () => {
    const admin = await cli(['version', '--client=false', '--kubeconfig', info.kubeconfig]);
    expect(admin.stdout).toMatch(/Server Version: v1\.35\.4/);
    const restricted = await cli(['version', '--client=false', '--kubeconfig', info.kubeconfig, '--context', 'restricted']);
    expect(restricted.code).toBe(0);
    const unknown = await cli(['version', '--client=false', '--kubeconfig', info.kubeconfig, '--context', 'prod']);
    expect(unknown).toMatchObject({ code: 2, stderr: 'error: context "prod" not found in the kubeconfig (contexts: admin, restricted)\n' });
  });
});
