import { afterEach, describe, expect, it } from 'vitest';
import { RestKubeClient } from '../../../src/kube/client.ts';
import { Transport } from '../../../src/kube/transport.ts';
import { KubeApiError, KubeConnectionError } from '../../../src/kube/errors.ts';
import { blackhole, closedPortUrl, fakeServer, status, type FakeServer, type Reply } from '../../lib/fake-server.ts';

const FAST_RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
const coredns = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' };

let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

async function serve(reply: (request: { method: string; url: string }, index: number) => Reply): Promise<FakeServer> {
  const server = await fakeServer(reply);
  servers.push(server);
  return server;
}

function clientFor(url: string, requestTimeoutMs = 0, logLines?: string[]): RestKubeClient {
  return new RestKubeClient({
    transport: new Transport(url, {}, async () => ({ 'User-Agent': 'test' })),
    requestTimeoutMs,
    log: (_level, message) => logLines?.push(message()),
    retry: FAST_RETRY,
  });
}

const deployment = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'kube-system', resourceVersion: '7' }, spec: { replicas: 1, someFieldNoModelKnows: { kept: true } } });

describe('the Kubernetes client', () => {
  it('reads objects as raw JSON, keeping fields no typed model knows', async () => {
    const server = await serve(() => ({ status: 200, body: deployment('coredns') }));
    const object = await clientFor(server.url).get(coredns);
    expect(object?.spec).toEqual({ replicas: 1, someFieldNoModelKnows: { kept: true } });
    expect(server.requests[0]?.url).toBe('/apis/apps/v1/namespaces/kube-system/deployments/coredns');
  });

  it('returns undefined for a missing object instead of failing', async () => {
    const server = await serve(() => status(404, 'NotFound', 'deployments.apps "coredns" not found'));
    expect(await clientFor(server.url).get(coredns)).toBeUndefined();
  });

  it('follows list pages with limit and continue, and fills in apiVersion and kind', async () => {
    const server = await serve((request) =>
      request.url.includes('continue=page2')
        ? { status: 200, body: { items: [{ metadata: { name: 'b' } }], metadata: {} } }
        : { status: 200, body: { items: [{ metadata: { name: 'a' } }], metadata: { continue: 'page2' } } },
    );
    const nodes = await clientFor(server.url).list('v1', 'Node', { labelSelector: 'k8s.scaleway.com/pool-name' });
    expect(nodes.map((node) => [node.apiVersion, node.kind, node.metadata.name])).toEqual([['v1', 'Node', 'a'], ['v1', 'Node', 'b']]);
    expect(server.requests[0]?.url).toBe('/api/v1/nodes?labelSelector=k8s.scaleway.com%2Fpool-name&limit=500');
  });

  it('retries a read after 429, waiting as long as Retry-After says', async () => {
    const server = await serve((_request, index) => (index === 0 ? { status: 429, headers: { 'Retry-After': '1' }, body: {} } : { status: 200, body: deployment('coredns') }));
    const object = await clientFor(server.url).get(coredns);
    expect(object?.metadata.name).toBe('coredns');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries a read whose success was cut short mid-body; a write so cut fails in one line instead of a JSON error', async () => {
    const full = JSON.stringify(deployment('coredns'));
    const cutOnce = await serve((_request, index) => ({ status: 200, body: index === 0 ? full.slice(0, 20) : full }));
    expect((await clientFor(cutOnce.url).get(coredns))?.metadata.name).toBe('coredns');
    expect(cutOnce.requests).toHaveLength(2);

    const cut = await serve(() => ({ status: 201, body: '' }));
    await expect(clientFor(cut.url).create(deployment('coredns-ha'))).rejects.toThrow(/was reset/);
    expect(cut.requests).toHaveLength(1);
  });

  it('retries reads on 5xx, but never sends a create twice after a 500', async () => {
    const flaky = await serve((_request, index) => (index < 2 ? status(503, 'ServiceUnavailable', 'etcd leader changed') : { status: 200, body: deployment('coredns') }));
    await clientFor(flaky.url).get(coredns);
    expect(flaky.requests).toHaveLength(3);

    const broken = await serve(() => status(500, 'InternalError', 'boom'));
    await expect(clientFor(broken.url).create(deployment('coredns-ha'))).rejects.toThrow('Error from server (InternalError): boom');
    expect(broken.requests).toHaveLength(1);
  });

  it('retries a read after the connection was reset, but not a create (it may have been done)', async () => {
    const reads = await serve((_request, index) => (index === 0 ? { status: 'reset' } : { status: 200, body: deployment('coredns') }));
    expect((await clientFor(reads.url).get(coredns))?.metadata.name).toBe('coredns');
    expect(reads.requests).toHaveLength(2);

    const creates = await serve(() => ({ status: 'reset' }));
    await expect(clientFor(creates.url).create(deployment('coredns-ha'))).rejects.toThrow(`the connection to the Kubernetes API server at ${creates.url} was reset`);
    expect(creates.requests).toHaveLength(1);
  });

  it('retries a JSON patch only when it tests the resourceVersion', async () => {
    const server = await serve((request) => (request.method === 'PATCH' ? status(503, 'ServiceUnavailable', 'busy') : { status: 200 }));
    const client = clientFor(server.url);
    await expect(client.patch(coredns, [{ op: 'replace', path: '/spec/replicas', value: 0 }], 'json')).rejects.toThrow(KubeApiError);
    expect(server.requests).toHaveLength(1);
    const guarded = [{ op: 'test', path: '/metadata/resourceVersion', value: '7' }, { op: 'replace', path: '/spec/replicas', value: 0 }];
    await expect(client.patch(coredns, guarded, 'json')).rejects.toThrow(KubeApiError);
    expect(server.requests).toHaveLength(1 + FAST_RETRY.attempts);
    expect(server.requests[1]?.headers['content-type']).toBe('application/json-patch+json');
  });

  it('sends server-side dry runs with dryRun=All and names itself as field manager', async () => {
    const server = await serve(() => ({ status: 201, body: deployment('coredns-ha') }));
    await clientFor(server.url).create(deployment('coredns-ha'), { dryRun: true });
    expect(server.requests[0]?.url).toBe('/apis/apps/v1/namespaces/kube-system/deployments?fieldManager=kubectl-kapsule-ha&dryRun=All');
  });

  it('explains a 403 with the verb and the resource refused', async () => {
    const server = await serve(() => ({ status: 403, body: '' }));
    await expect(clientFor(server.url).patch(coredns, { spec: { replicas: 0 } }, 'merge')).rejects.toThrow(
      'Error from server (Forbidden): deployments.apps "coredns" is forbidden (cannot patch deployments.apps in the namespace "kube-system")',
    );
  });

  it('keeps the API server\'s own Forbidden message, which already names verb and resource', async () => {
    const message = 'deployments.apps "coredns" is forbidden: User "dev" cannot patch resource "deployments" in API group "apps" in the namespace "kube-system"';
    const server = await serve(() => status(403, 'Forbidden', message));
    await expect(clientFor(server.url).patch(coredns, {}, 'merge')).rejects.toThrow(`Error from server (Forbidden): ${message}`);
  });

  it('lists the causes of a 422 that the message leaves out, and reports 409 conflicts as such', async () => {
    const invalid = await serve(() => status(422, 'Invalid', 'Deployment.apps "coredns-ha" is invalid', [{ field: 'spec.replicas', message: 'must be greater than or equal to 0' }]));
    await expect(clientFor(invalid.url).create(deployment('coredns-ha'))).rejects.toThrow(
      'Error from server (Invalid): Deployment.apps "coredns-ha" is invalid: spec.replicas: must be greater than or equal to 0',
    );
    const conflict = await serve(() => status(409, 'AlreadyExists', 'deployments.apps "coredns-ha" already exists'));
    const error = await clientFor(conflict.url).create(deployment('coredns-ha')).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 409, reason: 'AlreadyExists', exitCode: 3 });
  });

  it('treats deleting a missing object as done, and sends the uid and resourceVersion preconditions', async () => {
    const server = await serve(() => status(404, 'NotFound', 'gone'));
    await clientFor(server.url).delete(coredns, { resourceVersion: '7', uid: 'u-1' });
    expect(JSON.parse(server.requests[0]!.body)).toMatchObject({ kind: 'DeleteOptions', preconditions: { resourceVersion: '7', uid: 'u-1' } });
  });

  it('does not retry an eviction refused by a PodDisruptionBudget (429)', async () => {
    const server = await serve(() => status(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.'));
    await expect(clientFor(server.url).evict('kube-system', 'coredns-1')).rejects.toMatchObject({ status: 429 });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url).toBe('/api/v1/namespaces/kube-system/pods/coredns-1/eviction');
  });

  it('asks SelfSubjectAccessReview for each check and keeps their order', async () => {
    const server = await serve((request) => ({ status: 201, body: { status: { allowed: !String((request as { body?: string }).body).includes('delete') } } }));
    const answers = await clientFor(server.url).canI([
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'kube-system' },
      { verb: 'delete', group: '', resource: 'configmaps', namespace: 'kube-system' },
    ]);
    expect(answers).toEqual([true, false]);
  });

  it('streams watch events until the signal aborts', async () => {
    const server = await serve(() => ({ status: 200, body: '{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}\n' }));
    const events: string[] = [];
    await clientFor(server.url).watch('discovery.k8s.io/v1', 'EndpointSlice', { namespace: 'kube-system' }, (event) => events.push(`${event.type} ${event.object.kind}/${event.object.metadata.name}`), new AbortController().signal);
    expect(events).toEqual(['ADDED EndpointSlice/a', 'MODIFIED EndpointSlice/a']);
  });
});

describe('an unreachable API server', () => {
  it('with nothing listening, fails with a message naming the server', async () => {
    const url = await closedPortUrl();
    const error = await clientFor(url, 2000).get(coredns).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeConnectionError);
    expect((error as Error).message).toBe(`cannot connect to the Kubernetes API server at ${url}: connection refused (is the cluster running, is the context right?)`);
  });

  it('that accepts connections but never answers, fails within --request-timeout', async () => {
    const server = await blackhole();
    servers.push(server);
    const started = Date.now();
    const error = await clientFor(server.url, 300).get(coredns).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(`the Kubernetes API server at ${server.url} did not answer within 300ms (--request-timeout)`);
    expect(Date.now() - started).toBeLessThan(5000); // bounded by the flag, not by a default
  });

  it('whose name does not resolve, says so', async () => {
    const error = await clientFor('https://kapsule.invalid:6443', 5000).get(coredns).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/^cannot resolve the host of the Kubernetes API server at https:\/\/kapsule.invalid:6443/);
  });
});
