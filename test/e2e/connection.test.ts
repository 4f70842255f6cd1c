// Connecting as kubectl does, against the simulator's real API server: through a CONNECT
// and a SOCKS5 proxy (proxy-url, HTTPS_PROXY, NO_PROXY), impersonation judged by RBAC and
// recorded in the audit log, kubectl's connection flags without a kubeconfig, a
// credential plugin that asks on a terminal, the machine's trust store. (A client
// certificate refused during the handshake: test/unit/kube/tls-trust.test.ts; the API
// server itself only requests one and answers 401 when it cannot verify it.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { auditOffset, getJson, plugin, pluginRequests, sim } from '../lib/plugin.ts';
import { startConnectProxy, startSocksProxy, type CountingProxy } from '../lib/proxies.ts';
import { pluginOnTerminal } from '../lib/terminal.ts';
import { expectOneLineFailure, kubeconfigVariant, scratch, writesSince } from '../lib/robustness.ts';

/** A name only the test proxies resolve (to 127.0.0.1): a direct connection cannot reach it. */
const HIDDEN = 'kapsule-api.invalid';
const aliases = { [HIDDEN]: '127.0.0.1' };
let connectProxy: CountingProxy;
let socksProxy: CountingProxy;
let port: string;

/** The admin kubeconfig with the server named by HIDDEN (its certificate holds `localhost`). */
const hiddenServer = (name: string, cluster: Record<string, unknown> = {}) =>
  kubeconfigVariant(name, (config) => {
    for (const entry of config.clusters) Object.assign(entry.cluster, { server: `https://${HIDDEN}:${port}`, 'tls-server-name': 'localhost', ...cluster });
  });

beforeAll(async () => {
  port = new URL(sim.info().server).port;
  connectProxy = await startConnectProxy(aliases);
  socksProxy = await startSocksProxy(aliases);
});

afterAll(async () => {
  await connectProxy.close();
  await socksProxy.close();
});

describe('proxies, as client-go uses them', () => {
  it('proxy-url http://: every connection is a CONNECT tunnel, and HTTP/2 runs inside it', async () => {
    const before = connectProxy.tunnels.length;
    const result = await plugin(['status', '-v', '7', '--kubeconfig', hiddenServer('via-connect', { 'proxy-url': connectProxy.url })]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/coredns/);
    expect(connectProxy.tunnels.slice(before)).toEqual([`${HIDDEN}:${port}`]);
    expect(result.stderr).toMatch(/HTTP\/2 session in \d+ ms/);
  });

  it('proxy-url socks5:// (a bastion): the host name goes to the proxy unresolved', async () => {
    const before = socksProxy.tunnels.length;
    const result = await plugin(['check-drift', '--kubeconfig', hiddenServer('via-socks', { 'proxy-url': socksProxy.url })]);
    expect([0, 1], result.stderr).toContain(result.code);
    expect(socksProxy.tunnels.slice(before)).toEqual([`${HIDDEN}:${port}`]);
  });

  it('HTTPS_PROXY when the kubeconfig names no proxy, unless NO_PROXY matches; never for loopback', async () => {
    const kubeconfig = hiddenServer('via-env');
    const before = connectProxy.tunnels.length;
    const through = await plugin(['status', '--kubeconfig', kubeconfig], { env: { HTTPS_PROXY: connectProxy.url, NO_PROXY: 'example.org' } });
    expect(through.code, through.stderr).toBe(0);
    expect(connectProxy.tunnels.length).toBe(before + 1);
    const bypassed = await plugin(['status', '--kubeconfig', kubeconfig], { env: { HTTPS_PROXY: connectProxy.url, NO_PROXY: `example.org,.invalid` } });
    expectOneLineFailure(bypassed, 3, /^error: cannot resolve the host of the Kubernetes API server at https:\/\/kapsule-api\.invalid:\d+ \(ENOTFOUND\)$/);
    const loopback = await plugin(['status'], { env: { HTTPS_PROXY: connectProxy.url } }); // the simulator's own kubeconfig: 127.0.0.1
    expect(loopback.code, loopback.stderr).toBe(0);
    expect(connectProxy.tunnels.length).toBe(before + 1);
  });

  it('a proxy that is down: one line naming the proxy, exit 3', async () => {
    const closed = await startConnectProxy();
    await closed.close();
    const result = await plugin(['status', '--kubeconfig', hiddenServer('proxy-down', { 'proxy-url': closed.url })]);
    expectOneLineFailure(result, 3, new RegExp(`^error: cannot reach https://${HIDDEN.replace('.', '\\.')}:\\d+ through the proxy http://127\\.0\\.0\\.1:\\d+ \\(proxy-url of the cluster\\): connection refused \\(is the proxy running\\?\\)$`));
  });
});

describe('impersonation, judged by the API server', () => {
  const kubectl = async (...args: string[]) => {
    const result = await sim.kubectl(args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  };
  /** The plugin's requests since `offset`, once the audit log holds its access reviews. */
  const requestsAfterReviews = async (offset: number) => {
    await sim.waitForAudit((event) => event.objectRef?.resource === 'selfsubjectaccessreviews' && (event.userAgent ?? '').startsWith('kubectl-kapsule_ha/'), { sinceOffset: offset });
    return { all: (await pluginRequests(offset)).all, writes: await writesSince(offset) };
  };

  beforeAll(async () => {
    // From the seed, whatever the file before this one left (cilium-operator must need a patch).
    await sim.reset();
    // ops-readonly may read everything (so the plugin gets as far as its preflight), write nothing.
    await kubectl('create', 'clusterrole', 'kapsule-ha-test-read-all', '--verb=get,list,watch', '--resource=*.*');
    await kubectl('create', 'clusterrolebinding', 'kapsule-ha-test-ops-readonly', '--clusterrole=kapsule-ha-test-read-all', '--user=ops-readonly');
  });

  afterAll(async () => {
    for (const name of ['kapsule-ha-test-ops-readonly', 'kapsule-ha-test-ops-deployer']) await sim.kubectl(['delete', 'clusterrolebinding', name, '--ignore-not-found']);
    await sim.kubectl(['delete', 'clusterrole', 'kapsule-ha-test-read-all', '--ignore-not-found']);
    await sim.reset();
  });

  it('--as a user without rights: exit 3 at the preflight, no write, every request (reviews included) made as that user', async () => {
    const offset = auditOffset();
    const result = await plugin(['enable', 'cilium-operator', '--yes', '--as', 'ops-readonly']);
    expectOneLineFailure(result, 3, /^error: you are not allowed to patch deployments\.apps in kube-system.*; nothing was changed/);
    const { all, writes } = await requestsAfterReviews(offset);
    expect(writes).toEqual([]);
    expect(all.length).toBeGreaterThan(1);
    expect(all.map((event) => [event.user.username, event.impersonatedUser?.username])).toEqual(all.map(() => ['admin', 'ops-readonly']));
  });

  it('a kubeconfig user with as: is refused the same way (the admin behind it does not count)', async () => {
    const offset = auditOffset();
    const kubeconfig = kubeconfigVariant('as-readonly', (config) => (config.users.find((user: any) => user.name === 'admin').user.as = 'ops-readonly'));
    const result = await plugin(['enable', 'cilium-operator', '--yes', '--kubeconfig', kubeconfig]);
    expectOneLineFailure(result, 3, /^error: you are not allowed to patch deployments\.apps in kube-system/);
    const { all, writes } = await requestsAfterReviews(offset);
    expect(writes).toEqual([]);
    expect(all.every((event) => event.impersonatedUser?.username === 'ops-readonly')).toBe(true);
  });

  it('granted rights, enable works and every write is recorded as the impersonated user and groups', async () => {
    await kubectl('create', 'clusterrolebinding', 'kapsule-ha-test-ops-deployer', '--clusterrole=cluster-admin', '--user=ops-deployer');
    const offset = auditOffset();
    const result = await plugin(['enable', 'cilium-operator', '--yes', '--as', 'ops-deployer', '--as-group', 'kapsule-ops']);
    expect(result.code, result.stderr).toBe(0);
    expect((await getJson(['deployment', 'cilium-operator', '-n', 'kube-system'])).spec.replicas).toBe(3);
    const writes = await writesSince(offset);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.map((event) => event.impersonatedUser)).toEqual(writes.map(() => ({ username: 'ops-deployer', groups: ['kapsule-ops', 'system:authenticated'] })));
  });
});

describe("kubectl's connection flags", () => {
  it('status with only --server, --token and --certificate-authority (no kubeconfig) works as with the kubeconfig', async () => {
    const info = sim.info();
    const flags = await plugin(['status', '-o', 'json', '--kubeconfig', '/dev/null', '--server', info.server, '--token', info.adminToken, '--certificate-authority', info.caFile]);
    expect(flags.code, flags.stderr).toBe(0);
    const kubeconfig = await plugin(['status', '-o', 'json']);
    expect(JSON.parse(flags.stdout)).toEqual(JSON.parse(kubeconfig.stdout));
  });

  it('--token overrides the kubeconfig user: the restricted context with the admin token reads as admin', async () => {
    const offset = auditOffset();
    const result = await plugin(['status', '--context', 'restricted', '--token', sim.info().adminToken]);
    expect(result.code, result.stderr).toBe(0);
    expect((await pluginRequests(offset)).all.every((event) => event.user.username === 'admin')).toBe(true);
  });
});

describe('credential plugins that talk to the user', () => {
  function execKubeconfig(name: string, script: string, extra: Record<string, unknown> = {}): string {
    const command = path.join(scratch, `${name}.sh`);
    writeFileSync(command, script);
    chmodSync(command, 0o755);
    return kubeconfigVariant(name, (config) => {
      const admin = config.users.find((user: any) => user.name === 'admin').user;
      delete admin.token;
      admin.exec = { apiVersion: 'client.authentication.k8s.io/v1', command, interactiveMode: 'IfAvailable', env: [{ name: 'TOKEN', value: sim.info().adminToken }], ...extra };
    });
  }

  const asking = `#!/bin/sh
[ -t 0 ] || { echo "stdin is not a terminal" >&2; exit 1; }
case "$KUBERNETES_EXEC_INFO" in *'"interactive":true'*) ;; *) echo "not told it is interactive" >&2; exit 1 ;; esac
printf 'One-time code for ops@kapsule: ' >&2
read answer
[ "$answer" = "424242" ] || { echo "wrong code" >&2; exit 1; }
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$TOKEN"
`;

  it('one that asks a question on the terminal gets its answer, and its token is used', async () => {
    const since = auditOffset();
    const result = await pluginOnTerminal(['version', '--client=false', '--kubeconfig', execKubeconfig('asking', asking)], { env: {}, prompt: 'One-time code for ops@kapsule: ', reply: '424242' });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/One-time code for ops@kapsule: 424242\n/);
    expect(result.stdout).toMatch(/Server Version: v1\.35\.4/);
    // The request came from the program under test (the executable's User-Agent), not from a source run.
    expect((await pluginRequests(since)).reads).toBeGreaterThan(0);
  });

  it('one that never gets an answer is stopped at the time limit with one line', async () => {
    const result = await pluginOnTerminal(['version', '--client=false', '--kubeconfig', execKubeconfig('unanswered', asking)], { env: { KAPSULE_HA_EXEC_TIMEOUT: '2s' } });
    expect(result.code, result.stdout).toBe(3);
    expect(result.stdout).toMatch(/^One-time code for ops@kapsule: \n/); // the question, then the error on a line of its own
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^error: exec plugin ".*unanswered\.sh" gave no credential within 2s: log in with it first, or raise KAPSULE_HA_EXEC_TIMEOUT$/);
  });

  it('interactiveMode: Never keeps stdin from it even on a terminal', async () => {
    const result = await pluginOnTerminal(['version', '--client=false', '--kubeconfig', execKubeconfig('never', asking, { interactiveMode: 'Never' })], { env: {} });
    expect(result.code, result.stdout).toBe(2);
    expect(result.stdout).toMatch(/stdin is not a terminal\r?\n.*error: exec plugin ".*never\.sh" failed: stdin is not a terminal/s);
  });
});

describe('trust', () => {
  it("with no CA in the kubeconfig, a CA only in the machine's store (SSL_CERT_FILE) is trusted", async () => {
    const kubeconfig = kubeconfigVariant('system-ca', (config) => {
      for (const entry of config.clusters) {
        delete entry.cluster['certificate-authority-data'];
        delete entry.cluster['certificate-authority'];
      }
    });
    const trusted = await plugin(['status', '--kubeconfig', kubeconfig], { env: { SSL_CERT_FILE: sim.info().caFile, SSL_CERT_DIR: scratch } });
    expect(trusted.code, trusted.stderr).toBe(0);
    const untrusted = await plugin(['status', '--kubeconfig', kubeconfig], { env: { SSL_CERT_FILE: '/nonexistent', SSL_CERT_DIR: scratch } });
    expectOneLineFailure(untrusted, 3, /signed by an unknown authority: set the cluster's certificate-authority\(-data\)/);
  });
});
