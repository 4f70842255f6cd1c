// In-cluster credentials as client-go's rest.InClusterConfig and clientcmd's fallback: no
// kubeconfig, KUBERNETES_SERVICE_HOST and _PORT set, the mounted token (re-read as it
// rotates), its CA and namespace.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inClusterNamespace, isInCluster, loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import type { KubeconfigSelection } from '../../../src/kube/kubeconfig-types.ts';
import { credentialSource, TOKEN_FILE_PERIOD_MS } from '../../../src/kube/credentials.ts';

const home = mkdtempSync(join(tmpdir(), 'kapsule-ha-incluster-home-'));
const serviceAccount = mkdtempSync(join(tmpdir(), 'kapsule-ha-incluster-sa-'));
writeFileSync(join(serviceAccount, 'token'), 'first-token\n');
writeFileSync(join(serviceAccount, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
writeFileSync(join(serviceAccount, 'namespace'), 'kapsule-ha');
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(serviceAccount, { recursive: true, force: true });
});
afterEach(() => vi.useRealTimers());

const none: KubeconfigSelection = { kubeconfig: undefined, context: undefined, cluster: undefined, user: undefined };
const podEnv = { HOME: home, KUBERNETES_SERVICE_HOST: '10.32.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('in-cluster configuration', () => {
  it('is used with no kubeconfig, the service host and port set and a token mounted', async () => {
    const resolved = await loadKubeconfig(none, podEnv, serviceAccount);
    expect(resolved.inCluster).toBe(true);
    expect(resolved.cluster.server).toBe('https://10.32.0.1:443');
    expect(resolved.cluster.certificateAuthority).toBe(join(serviceAccount, 'ca.crt'));
    expect(resolved.user.tokenFile).toBe(join(serviceAccount, 'token'));
  });

  it('brackets an IPv6 service host', async () => {
    const resolved = await loadKubeconfig(none, { ...podEnv, KUBERNETES_SERVICE_HOST: 'fd00::1' }, serviceAccount);
    expect(resolved.cluster.server).toBe('https://[fd00::1]:443');
  });

  it('needs both variables and the token, as client-go', async () => {
    expect(isInCluster({ KUBERNETES_SERVICE_HOST: '10.32.0.1' }, serviceAccount)).toBe(false);
    expect(isInCluster(podEnv, join(serviceAccount, 'missing'))).toBe(false);
    await expect(loadKubeconfig(none, { HOME: home, KUBERNETES_SERVICE_HOST: '10.32.0.1' }, serviceAccount)).rejects.toThrow(/no kubeconfig found/);
  });

  it('gives way to a kubeconfig and to --server', async () => {
    const config = join(home, 'config');
    writeFileSync(config, 'apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: k, cluster: {server: "https://k.example"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n');
    expect((await loadKubeconfig({ ...none, kubeconfig: config }, podEnv, serviceAccount)).inCluster).toBe(false);
    const flagged = await loadKubeconfig({ ...none, connection: { server: 'https://other.example' } }, podEnv, serviceAccount);
    expect(flagged.inCluster).toBe(false);
  });

  it('re-reads the rotated token once a minute, as client-go', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const source = await credentialSource(await loadKubeconfig(none, podEnv, serviceAccount));
    expect((await source.current()).headers.Authorization).toBe('Bearer first-token');
    writeFileSync(join(serviceAccount, 'token'), 'rotated-token\n');
    expect((await source.current()).headers.Authorization).toBe('Bearer first-token');
    vi.setSystemTime(Date.now() + TOKEN_FILE_PERIOD_MS);
    expect((await source.current()).headers.Authorization).toBe('Bearer rotated-token');
  });

  it('knows its namespace: POD_NAMESPACE, else the mounted one', () => {
    expect(inClusterNamespace({}, serviceAccount)).toBe('kapsule-ha');
    expect(inClusterNamespace({ POD_NAMESPACE: 'elsewhere' }, serviceAccount)).toBe('elsewhere');
    expect(inClusterNamespace({}, join(serviceAccount, 'missing'))).toBeUndefined();
  });
});
