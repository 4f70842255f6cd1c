// Pure rules of the connection: which proxy client-go would use, how kubectl's flags
// override the kubeconfig, the Impersonate-* headers, and kubeconfig fields refused.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { proxyFor } from '../../../src/kube/proxy.ts';
import { applyConnectionFlags, impersonationHeaders } from '../../../src/kube/kubeconfig-overrides.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { writeKubeconfig } from '../../lib/kubeconfig-files.ts';
import { cli } from '../../lib/in-process-cli.ts';
import { fakeServer } from '../../lib/fake-server.ts';

const proxy = (server: string, env: Record<string, string>, proxyUrl?: string) => proxyFor(new URL(server), proxyUrl, env)?.url.href;

describe('the proxy, as client-go picks it', () => {
  it('proxy-url of the cluster wins over the environment, whatever NO_PROXY says', () => {
    expect(proxy('https://api.example:6443', { HTTPS_PROXY: 'http://env:3128', NO_PROXY: '*' }, 'socks5://bastion:1080')).toBe('socks5://bastion:1080');
  });

  it('HTTPS_PROXY (then https_proxy) for an https server, HTTP_PROXY for http; a bare host:port is http', () => {
    expect(proxy('https://api.example:6443', { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128' })).toBe('http://upper:3128/');
    expect(proxy('https://api.example:6443', { https_proxy: 'corp:3128' })).toBe('http://corp:3128/');
    expect(proxy('https://api.example:6443', { HTTP_PROXY: 'http://plain:3128' })).toBeUndefined();
    expect(proxy('http://api.example:8080', { HTTP_PROXY: 'http://plain:3128' })).toBe('http://plain:3128/');
  });

  it('never for localhost or a loopback address', () => {
    for (const server of ['https://localhost:6443', 'https://127.0.0.1:6443', 'https://127.9.9.9', 'https://[::1]:6443']) {
      expect(proxy(server, { HTTPS_PROXY: 'http://corp:3128' }), server).toBeUndefined();
    }
  });

  it('NO_PROXY: *, a domain and its subdomains, .domain for subdomains only, IPs, CIDRs and ports', () => {
    const through = (server: string, noProxy: string) => proxy(server, { HTTPS_PROXY: 'http://corp:3128', NO_PROXY: noProxy }) !== undefined;
    expect(through('https://api.example:6443', '*')).toBe(false);
    expect(through('https://api.example:6443', 'other.org, xample')).toBe(true);
    expect(through('https://api.example:6443', 'api.example')).toBe(false);
    expect(through('https://k.api.example:6443', 'api.example')).toBe(false);
    expect(through('https://api.example:6443', '.api.example')).toBe(true);
    expect(through('https://k.api.example:6443', '.api.example')).toBe(false);
    expect(through('https://10.1.2.3:6443', '10.0.0.0/8')).toBe(false);
    expect(through('https://11.1.2.3:6443', '10.0.0.0/8')).toBe(true);
    expect(through('https://10.1.2.3:6443', '10.1.2.3')).toBe(false);
    expect(through('https://api.example:6443', 'api.example:443')).toBe(true);
    expect(through('https://api.example:6443', 'api.example:6443')).toBe(false);
  });

  it('an unsupported scheme or a malformed URL is bad input naming where it came from', () => {
    expect(() => proxy('https://a:1', {}, 'ftp://p:21')).toThrow('unsupported proxy scheme "ftp" in proxy-url of the cluster: http, https or socks5');
    expect(() => proxy('https://a:1', { HTTPS_PROXY: 'http://[bad' })).toThrow(/^invalid proxy URL "http:\/\/\[bad" \(HTTPS_PROXY\)$/);
  });
});

describe("kubectl's connection flags over the kubeconfig", () => {
  const selected = {
    cluster: { name: 'k', server: 'https://from-file:6443', certificateAuthorityData: 'Q0E=', tlsServerName: 'file-name' },
    user: { name: 'u', tokenFile: '/token', clientCertificateData: 'Y2VydA==', impersonate: { user: 'file-user', groups: ['file-group'] } },
  };

  it('--server clears the kubeconfig tls-server-name; --certificate-authority replaces the CA data; --token the token file', () => {
    const { cluster, user } = applyConnectionFlags(selected, { server: 'https://flag:6443', certificateAuthority: '/ca.pem', token: 'flag-token' });
    expect(cluster).toMatchObject({ server: 'https://flag:6443', tlsServerName: undefined, certificateAuthority: '/ca.pem', certificateAuthorityData: undefined, insecureSkipTlsVerify: false });
    expect(user).toMatchObject({ token: 'flag-token', tokenFile: undefined, clientCertificateData: 'Y2VydA==' });
  });

  it('--insecure-skip-tls-verify drops the CA; --tls-server-name is kept with --server', () => {
    const { cluster } = applyConnectionFlags(selected, { server: 'https://flag:6443', tlsServerName: 'flag-name', insecureSkipTlsVerify: true });
    expect(cluster).toMatchObject({ tlsServerName: 'flag-name', insecureSkipTlsVerify: true, certificateAuthorityData: undefined });
  });

  it('--as replaces the user to impersonate, --as-group the groups; headers as Kubernetes expects them', () => {
    const { user } = applyConnectionFlags(selected, { as: 'flag-user' });
    expect(impersonationHeaders(user.impersonate)).toEqual({ 'Impersonate-User': 'flag-user', 'Impersonate-Group': ['file-group'] });
    const both = applyConnectionFlags(selected, { as: 'ops', asGroups: ['a', 'b'], asUid: '42' }).user.impersonate;
    expect(impersonationHeaders({ ...both, extra: { 'reason/why': ['audit'] } })).toEqual({ 'Impersonate-User': 'ops', 'Impersonate-Group': ['a', 'b'], 'Impersonate-Uid': '42', 'Impersonate-Extra-reason%2Fwhy': ['audit'] });
  });

  it('--as-group without a user to impersonate is refused, as client-go refuses it', () => {
    expect(() => applyConnectionFlags({ ...selected, user: { name: 'u' } }, { asGroups: ['g'] })).toThrow(/needs a user to impersonate: pass --as/);
  });

  it('with no kubeconfig at all, --server and --token are enough', async () => {
    const resolved = await loadKubeconfig({ kubeconfig: '/dev/null', context: undefined, cluster: undefined, user: undefined, connection: { server: 'https://api:6443', token: 't' } }, {});
    expect(resolved).toMatchObject({ cluster: { server: 'https://api:6443' }, user: { token: 't' } });
    await expect(loadKubeconfig({ kubeconfig: '/dev/null', context: undefined, cluster: undefined, user: undefined }, {})).rejects.toThrow(/no current-context: pass --context \(or --cluster and --user, or --server\)/);
    const none = await loadKubeconfig({ kubeconfig: undefined, context: undefined, cluster: undefined, user: undefined, connection: { server: 'https://api:6443' } }, { HOME: '/nonexistent' });
    expect(none.cluster.server).toBe('https://api:6443');
  });
});

describe('kubeconfig fields the plugin does not know are refused, not ignored', () => {
  const base = { currentContext: 'c', contexts: [{ name: 'c', cluster: 'k', user: 'u' }], clusters: [{ name: 'k', server: 'https://127.0.0.1:1' }], users: [{ name: 'u', token: 't' }] };

  it('a misspelt cluster field: exit 2, one line naming it', async () => {
    const file = writeKubeconfig(base);
    writeFileSync(file, `${(await import('node:fs')).readFileSync(file, 'utf8').replace('    server: https://127.0.0.1:1', '    server: https://127.0.0.1:1\n    proxy_url: socks5://bastion:1080')}`);
    const result = await cli(['status', '--kubeconfig', file]);
    expect(result).toMatchObject({ code: 2, stderr: 'error: cluster "k" of the kubeconfig has "proxy_url", which kapsule-ha does not know: remove it or fix its name (docs/kubeconfig.md lists the fields honoured)\n' });
  });

  it('an unknown user field, and one in exec', async () => {
    const file = writeKubeconfig(base);
    writeFileSync(file, (await import('node:fs')).readFileSync(file, 'utf8').replace('    token: t', '    token: t\n    exec: { command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never, timeout: 5 }\n    impersonate: ops'));
    const result = await cli(['status', '--kubeconfig', file]);
    expect(result).toMatchObject({ code: 2, stderr: 'error: user "u" of the kubeconfig has "impersonate", "exec.timeout", which kapsule-ha does not know: remove it or fix its name (docs/kubeconfig.md lists the fields honoured)\n' });
  });
});

describe('the flags on the command line, as kubectl reads them', () => {
  it('-s/--server, --token, --as and repeated --as-group, in any position and either form, reach the server', async () => {
    const server = await fakeServer(() => ({ status: 200, body: { gitVersion: 'v1.35.4' } }));
    try {
      const result = await cli(['--kubeconfig', '/dev/null', '-s', server.url, 'version', '--token=flag-token', '--client=false', '--as', 'ops', '--as-group', 'a', '--as-group=b', '--as-uid', '7']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/Server Version: v1\.35\.4/);
      expect(server.requests[0]!.headers).toMatchObject({ authorization: 'Bearer flag-token', 'impersonate-user': 'ops', 'impersonate-group': 'a, b', 'impersonate-uid': '7' });
    } finally {
      await server.close();
    }
  });

  it('a value flag without its value, or a bad boolean, is bad input', async () => {
    expect(await cli(['status', '--server'])).toMatchObject({ code: 2, stderr: 'error: flag needs an argument: --server\n' });
    expect(await cli(['status', '--insecure-skip-tls-verify=maybe'])).toMatchObject({ code: 2, stderr: 'error: invalid value "maybe" for --insecure-skip-tls-verify: expected true or false\n' });
    expect(await cli(['status', '--as-group', 'g', '--kubeconfig', '/dev/null', '--server', 'https://127.0.0.1:1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: impersonating groups, a uid or user extras needs a user to impersonate: pass --as/) });
  });

  it('help names them (in one paragraph, as kubectl points to its options), and completion offers them', async () => {
    for (const args of [['--help'], ['status', '--help'], ['enable', '--help']]) {
      const help = (await cli(args)).stdout.replace(/\s+/g, ' ');
      expect(help).toContain("kubectl's connection flags work as in kubectl: -s/--server, --token, --certificate-authority, --insecure-skip-tls-verify, --tls-server-name, --client-certificate, --client-key, --username, --password, --as, --as-group, --as-uid");
    }
    const completed = (await cli(['__complete', 'status', '--as'])).stdout.split('\n');
    expect(completed).toEqual(expect.arrayContaining([expect.stringMatching(/^--as(\t|$)/), expect.stringMatching(/^--as-group(\t|$)/), expect.stringMatching(/^--as-uid(\t|$)/)]));
  });
});
