import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delimiter } from 'node:path';
import { cli } from '../../lib/in-process-cli.ts';
import { blackhole, fakeServer, type FakeServer } from '../../lib/fake-server.ts';
import { writeKubeconfig } from '../../lib/kubeconfig-files.ts';

// Two "clusters" that answer /version with their own name, so that the CLI's output
// shows which context, cluster and user were chosen.
let dev: FakeServer;
let prod: FakeServer;
let first: string;
let second: string;

beforeAll(async () => {
  dev = await fakeServer(() => ({ status: 200, body: { gitVersion: 'v1.35.4-dev' } }));
  prod = await fakeServer(() => ({ status: 200, body: { gitVersion: 'v1.35.4-prod' } }));
  first = writeKubeconfig({
    currentContext: 'dev',
    clusters: [{ name: 'dev', server: dev.url }],
    contexts: [{ name: 'dev', cluster: 'dev', user: 'dev-admin' }],
    users: [{ name: 'dev-admin', token: 'dev-secret-token' }],
  });
  second = writeKubeconfig({
    currentContext: 'prod',
    clusters: [{ name: 'prod', server: prod.url }, { name: 'dev', server: prod.url }],
    contexts: [{ name: 'prod', cluster: 'prod', user: 'prod-admin' }],
    users: [{ name: 'prod-admin', token: 'prod-secret-token' }, { name: 'dev-admin', token: 'shadowed-token' }],
  });
});

afterAll(async () => {
  await Promise.all([dev.close(), prod.close()]);
});

const serverVersion = (stdout: string) => /Server Version: (\S+)/.exec(stdout)?.[1];
const lastAuthorization = (server: FakeServer) => server.requests.at(-1)?.headers.authorization;

describe('choosing the cluster from kubeconfig files', () => {
  it('with several KUBECONFIG files, the first file\'s current-context wins, as in kubectl', async () => {
    const result = await cli(['version', '--client=false'], { env: { KUBECONFIG: [first, second].join(delimiter) } });
    expect(result.code).toBe(0);
    expect(serverVersion(result.stdout)).toBe('v1.35.4-dev');
    expect(lastAuthorization(dev)).toBe('Bearer dev-secret-token'); // the first file's user, not the shadowing one
  });

  it('--context picks a context from any of the merged files', async () => {
    const result = await cli(['version', '--client=false', '--context', 'prod'], { env: { KUBECONFIG: [first, second].join(delimiter) } });
    expect(serverVersion(result.stdout)).toBe('v1.35.4-prod');
    expect(lastAuthorization(prod)).toBe('Bearer prod-secret-token');
  });

  it('--cluster and --user override the ones of the context', async () => {
    const result = await cli(['version', '--client=false', '--context', 'dev', '--cluster', 'prod', '--user', 'prod-admin'], { env: { KUBECONFIG: [first, second].join(delimiter) } });
    expect(serverVersion(result.stdout)).toBe('v1.35.4-prod');
    expect(lastAuthorization(prod)).toBe('Bearer prod-secret-token');
  });

  it('--kubeconfig takes precedence over KUBECONFIG', async () => {
    const result = await cli(['version', '--client=false', '--kubeconfig', second], { env: { KUBECONFIG: first } });
    expect(serverVersion(result.stdout)).toBe('v1.35.4-prod');
  });

  it('identifies itself with the plugin\'s User-Agent', async () => {
    await cli(['version', '--client=false', '--kubeconfig', first]);
    expect(dev.requests.at(-1)?.headers['user-agent']).toMatch(/^kubectl-kapsule_ha\/\d+\.\d+\.\d+/);
  });

  it('logs requests at -v 9 without ever showing the bearer token', async () => {
    const result = await cli(['version', '--client=false', '--kubeconfig', first, '-v', '9']);
    expect(result.stderr).toContain(`GET ${dev.url}/version 200`);
    expect(result.stderr + result.stdout).not.toContain('dev-secret-token');
  });

  it('an unreachable server is a failure (exit 3) with one line naming it', async () => {
    const unreachable = writeKubeconfig({
      currentContext: 'gone',
      clusters: [{ name: 'gone', server: 'http://127.0.0.1:9' }],
      contexts: [{ name: 'gone', cluster: 'gone', user: 'u' }],
      users: [{ name: 'u', token: 't' }],
    });
    const result = await cli(['version', '--client=false', '--kubeconfig', unreachable, '--request-timeout', '5s']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('error: cannot connect to the Kubernetes API server at http://127.0.0.1:9: connection refused (is the cluster running, is the context right?)\n');
  });

  it('a server that accepts but never answers gives up at --request-timeout, exit 3', async () => {
    const hung = await blackhole();
    try {
      const kubeconfig = writeKubeconfig({
        currentContext: 'hung',
        clusters: [{ name: 'hung', server: hung.url }],
        contexts: [{ name: 'hung', cluster: 'hung', user: 'u' }],
        users: [{ name: 'u', token: 't' }],
      });
      const result = await cli(['version', '--client=false', '--kubeconfig', kubeconfig, '--request-timeout', '500ms']);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(`error: the Kubernetes API server at ${hung.url} did not answer within 500ms (--request-timeout)\n`);
    } finally {
      await hung.close();
    }
  });
});
