// The kubeconfig loader and the credentials it builds, without client-node: kubectl's
// merge rules, paths relative to each file, every auth method, exec credential plugins.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import type { KubeconfigSelection } from '../../../src/kube/kubeconfig-types.ts';
import { credentialSource } from '../../../src/kube/credentials.ts';
import { KubeconfigError } from '../../../src/kube/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'kapsule-ha-loader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function file(folder: string, text: string, name = 'config'): string {
  const dir = join(root, `${++count}-${folder}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const none: KubeconfigSelection = { kubeconfig: undefined, context: undefined, cluster: undefined, user: undefined };
const load = (selection: Partial<KubeconfigSelection>, env: Record<string, string | undefined> = {}) => loadKubeconfig({ ...none, ...selection }, { HOME: root, ...env });
const credentials = async (selection: Partial<KubeconfigSelection>, env: Record<string, string | undefined> = {}) => (await credentialSource(await load(selection, env))).current();

const first = `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: shared
  cluster:
    server: https://first.example:6443
    certificate-authority: ca.pem
    tls-server-name: api.first.example
contexts:
- name: one
  context: { cluster: shared, user: alice }
- name: both
  context: { cluster: shared, user: bob }
users:
- name: alice
  user:
    token: alice-token
`;
const second = `apiVersion: v1
kind: Config
current-context: two
clusters:
- name: shared
  cluster: { server: https://second.example:6443 }
- name: other
  cluster:
    server: https://other.example:6443
    insecure-skip-tls-verify: true
contexts:
- name: one
  context: { cluster: other, user: bob }
- name: two
  context: { cluster: other, user: bob }
users:
- name: alice
  user: { token: shadowed }
- name: bob
  user:
    username: bob
    password: s3cret
`;

describe('the kubeconfig loader (kubectl\'s rules)', () => {
  it('merges KUBECONFIG files: the first file to set a name or the current-context wins', async () => {
    const a = file('a', first);
    writeFileSync(join(a, '..', 'ca.pem'), 'CA OF THE FIRST FILE');
    const b = file('b', second);
    const resolved = await load({}, { KUBECONFIG: [a, b].join(delimiter) });
    expect(resolved.contextName).toBe('one');
    expect(resolved.cluster).toMatchObject({ name: 'shared', server: 'https://first.example:6443', certificateAuthority: join(a, '..', 'ca.pem'), tlsServerName: 'api.first.example' });
    expect(resolved.user).toMatchObject({ name: 'alice', token: 'alice-token' });
    const auth = await credentials({}, { KUBECONFIG: [a, b].join(delimiter) });
    expect(auth.headers.Authorization).toBe('Bearer alice-token');
    expect(auth.tls.ca?.toString()).toBe('CA OF THE FIRST FILE');
    expect(auth.tls.servername).toBe('api.first.example');
    // the other order: the second file's names and current-context win
    const reversed = await load({}, { KUBECONFIG: [b, a].join(delimiter) });
    expect(reversed.contextName).toBe('two');
    expect(reversed.cluster.server).toBe('https://other.example:6443');
  });

  it('skips missing KUBECONFIG entries, takes --kubeconfig over KUBECONFIG, else ~/.kube/config', async () => {
    const a = file('a', first);
    const b = file('b', second);
    expect((await load({}, { KUBECONFIG: ['/nonexistent/x', b].join(delimiter) })).contextName).toBe('two');
    expect((await load({ kubeconfig: b }, { KUBECONFIG: a })).contextName).toBe('two');
    const home = join(root, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), first);
    expect((await load({}, { HOME: home })).contextName).toBe('one');
    await expect(load({}, { HOME: join(root, 'nobody') })).rejects.toThrow(/no kubeconfig found/);
    await expect(load({}, { KUBECONFIG: '/nonexistent/x' })).rejects.toThrow(/none of the KUBECONFIG files exists/);
  });

  it('--context, --cluster and --user override the current context and its parts', async () => {
    const a = file('a', first);
    writeFileSync(join(a, '..', 'ca.pem'), 'CA');
    const b = file('b', second);
    const env = { KUBECONFIG: [a, b].join(delimiter) };
    expect((await load({ context: 'two' }, env)).cluster.name).toBe('other');
    const overridden = await load({ context: 'one', cluster: 'other', user: 'bob' }, env);
    expect([overridden.cluster.name, overridden.user.name]).toEqual(['other', 'bob']);
    const basic = await credentials({ context: 'both' }, env);
    expect(basic.headers.Authorization).toBe(`Basic ${Buffer.from('bob:s3cret').toString('base64')}`);
    const insecure = await credentials({ context: 'two' }, env);
    expect(insecure.tls.rejectUnauthorized).toBe(false);
    await expect(load({ context: 'nope' }, env)).rejects.toThrow(/context "nope" not found in the kubeconfig \(contexts: one, both, two\)/);
    await expect(load({ context: 'one', cluster: 'nope' }, env)).rejects.toThrow(/cluster "nope" not found/);
    await expect(load({ context: 'one', user: 'nope' }, env)).rejects.toThrow(/user "nope" not found/);
  });

  it('reads certificate and token files relative to the kubeconfig\'s folder, and inline data', async () => {
    const config = file(
      'files',
      `apiVersion: v1
current-context: c
clusters:
- name: k
  cluster:
    server: https://k.example
    certificate-authority-data: ${Buffer.from('INLINE CA').toString('base64')}
contexts:
- name: c
  context: { cluster: k, user: u }
- name: d
  context: { cluster: k, user: inline }
users:
- name: u
  user:
    tokenFile: secrets/token
    client-certificate: pki/client.crt
    client-key: pki/client.key
- name: inline
  user:
    client-certificate-data: ${Buffer.from('INLINE CERT').toString('base64')}
    client-key-data: ${Buffer.from('INLINE KEY').toString('base64')}
`,
    );
    const folder = join(config, '..');
    mkdirSync(join(folder, 'secrets'));
    mkdirSync(join(folder, 'pki'));
    writeFileSync(join(folder, 'secrets', 'token'), 'file-token\n');
    writeFileSync(join(folder, 'pki', 'client.crt'), 'FILE CERT');
    writeFileSync(join(folder, 'pki', 'client.key'), 'FILE KEY');
    const fromFiles = await credentials({ kubeconfig: config }, { HOME: '/' });
    expect(fromFiles.headers.Authorization).toBe('Bearer file-token');
    expect([fromFiles.tls.ca?.toString(), fromFiles.tls.cert?.toString(), fromFiles.tls.key?.toString()]).toEqual(['INLINE CA', 'FILE CERT', 'FILE KEY']);
    const inline = await credentials({ kubeconfig: config, context: 'd' });
    expect([inline.tls.cert?.toString(), inline.tls.key?.toString()]).toEqual(['INLINE CERT', 'INLINE KEY']);
    expect(inline.headers.Authorization).toBeUndefined();
    // a token file is read again after a 401 (it may have been rotated)
    const source = await credentialSource(await load({ kubeconfig: config }));
    writeFileSync(join(folder, 'secrets', 'token'), 'rotated\n');
    expect((await source.refresh()).headers.Authorization).toBe('Bearer rotated');
  });

  it('reads JSON kubeconfigs, and names a missing credential file in one line', async () => {
    const json = file('json', JSON.stringify({ 'current-context': 'c', clusters: [{ name: 'k', cluster: { server: 'http://127.0.0.1:1' } }], contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }], users: [{ name: 'u', user: { tokenFile: 'missing' } }] }));
    const resolved = await load({ kubeconfig: json });
    expect(resolved.user.tokenFile).toBe(join(json, '..', 'missing'));
    await expect(credentialSource(resolved)).rejects.toThrow(/^cannot read the tokenFile of "u" in the kubeconfig: ENOENT/);
  });

  it('words a malformed file as before, without quoting it', async () => {
    const bad = file('bad', 'apiVersion: v1\nusers:\n- name: a\n  user:\n    token: SECRET-TOKEN-123\n   bad: [\n');
    const error = await load({ kubeconfig: bad }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeconfigError);
    expect((error as Error).message).toBe(`cannot read kubeconfig ${bad}: not valid YAML: bad indentation of a mapping entry at line 6, column 4`);
    await expect(load({ kubeconfig: join(root, 'nothing') })).rejects.toThrow(/^cannot read kubeconfig .*: ENOENT/);
  });
});

describe('exec credential plugins', () => {
  // A tiny plugin: counts its runs, echoes its arguments, environment and exec info.
  function plugin(status: Record<string, unknown>, apiVersion = 'client.authentication.k8s.io/v1'): { folder: string; runs: () => number } {
    const folder = join(root, `${++count}-plugin`);
    mkdirSync(join(folder, 'bin'), { recursive: true });
    const script = join(folder, 'bin', 'get-token');
    writeFileSync(
      script,
      `#!${process.execPath}
const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(join(folder, 'runs'))}, 'x');
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
const status = Object.assign(${JSON.stringify(status)}, process.env.FAIL ? {} : {});
if (process.env.FAIL) { process.stderr.write('plugin trace\\nlogin required: run scw init\\n'); process.exit(3); }
if (status.token === 'echo') status.token = [process.argv.slice(2).join(','), process.env.TOKEN_SUFFIX, info.spec.interactive, info.spec.cluster ? info.spec.cluster.server : ''].join('|');
process.stdout.write(JSON.stringify({ apiVersion: ${JSON.stringify(apiVersion)}, kind: 'ExecCredential', status }));
`,
    );
    chmodSync(script, 0o755);
    return { folder, runs: () => readFileSync(join(folder, 'runs'), 'utf8').length };
  }

  function execKubeconfig(folder: string, exec: string): string {
    const path = join(folder, 'config');
    writeFileSync(
      path,
      `apiVersion: v1
current-context: c
clusters:
- name: k
  cluster: { server: https://exec.example:6443 }
contexts:
- name: c
  context: { cluster: k, user: u }
users:
- name: u
  user:
    exec:
${exec}
`,
    );
    return path;
  }

  it('runs the command (relative to the kubeconfig) with its args and env, and reuses its token', async () => {
    const { folder, runs } = plugin({ token: 'echo' });
    const config = execKubeconfig(
      folder,
      `      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--region, fr-par]
      env:
      - { name: TOKEN_SUFFIX, value: suffix }
      interactiveMode: Never
      provideClusterInfo: true`,
    );
    const source = await credentialSource(await load({ kubeconfig: config }));
    expect((await source.current()).headers.Authorization).toBe('Bearer --region,fr-par|suffix|false|https://exec.example:6443');
    await source.current();
    await (await credentialSource(await load({ kubeconfig: config }))).current(); // another client in the same process
    expect(runs()).toBe(1);
    await source.refresh(); // after a 401
    expect(runs()).toBe(2);
  });

  it('runs it again once the token expired (expirationTimestamp), and supports v1beta1', async () => {
    const { folder, runs } = plugin({ token: 'short-lived', expirationTimestamp: new Date(Date.now() - 1000).toISOString() }, 'client.authentication.k8s.io/v1beta1');
    const config = execKubeconfig(folder, `      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ${join(folder, 'bin', 'get-token')}`);
    const source = await credentialSource(await load({ kubeconfig: config }));
    expect((await source.current()).headers.Authorization).toBe('Bearer short-lived');
    await source.current();
    expect(runs()).toBe(3); // expired at once: every use runs it again
  });

  it('takes a client certificate and key from the plugin', async () => {
    const { folder } = plugin({ clientCertificateData: 'PLUGIN CERT', clientKeyData: 'PLUGIN KEY' });
    const config = execKubeconfig(folder, `      apiVersion: client.authentication.k8s.io/v1\n      command: ./bin/get-token\n      interactiveMode: IfAvailable`);
    const got = await (await credentialSource(await load({ kubeconfig: config }))).current();
    expect([got.tls.cert?.toString(), got.tls.key?.toString(), got.headers.Authorization]).toEqual(['PLUGIN CERT', 'PLUGIN KEY', undefined]);
  });

  it('a failing or missing plugin is one line naming it (with its last stderr line or install hint)', async () => {
    const { folder } = plugin({ token: 'never' });
    const failing = execKubeconfig(folder, `      apiVersion: client.authentication.k8s.io/v1\n      command: ./bin/get-token\n      interactiveMode: Never\n      env: [{ name: FAIL, value: "1" }]`);
    await expect(credentialSource(await load({ kubeconfig: failing }))).rejects.toThrow(/^exec plugin ".*get-token" failed: login required: run scw init$/);
    const missingFolder = join(root, `${++count}-none`);
    mkdirSync(missingFolder);
    const missing = execKubeconfig(missingFolder, '');
    writeFileSync(missing, readFileSync(missing, 'utf8').replace('    exec:\n', '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: kapsule-ha-no-such-plugin\n      interactiveMode: Never\n      installHint: |\n        install the scw CLI\n        and log in\n'));
    const error = await credentialSource(await load({ kubeconfig: missing })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubeconfigError);
    expect((error as Error).message).toBe('exec plugin "kapsule-ha-no-such-plugin" of the kubeconfig not found: install the scw CLI');
  });

  it('a static token takes precedence: the plugin is not run (as client-go)', async () => {
    const { folder } = plugin({ token: 'from-plugin' });
    const config = execKubeconfig(folder, `      apiVersion: client.authentication.k8s.io/v1\n      command: ./bin/get-token\n      interactiveMode: Never`);
    writeFileSync(config, readFileSync(config, 'utf8').replace('  user:\n', '  user:\n    token: static\n'));
    expect((await credentials({ kubeconfig: config })).headers.Authorization).toBe('Bearer static');
    expect(existsSync(join(folder, 'runs'))).toBe(false);
  });

  it('provideClusterInfo passes the cluster with its client.authentication.k8s.io/exec extension as spec.cluster.config', async () => {
    const folder = join(root, `${++count}-info`);
    mkdirSync(folder);
    const script = join(folder, 'info');
    writeFileSync(script, `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(printf '%s' "$KUBERNETES_EXEC_INFO" | base64 -w0)"\n`);
    chmodSync(script, 0o755);
    const config = execKubeconfig(folder, `      apiVersion: client.authentication.k8s.io/v1\n      command: ./info\n      interactiveMode: Never\n      provideClusterInfo: true`);
    writeFileSync(config, readFileSync(config, 'utf8').replace('  cluster: { server: https://exec.example:6443 }', '  cluster:\n    server: https://exec.example:6443\n    extensions:\n    - name: client.authentication.k8s.io/exec\n      extension: { audience: kapsule, region: fr-par }'));
    const token = String((await credentials({ kubeconfig: config })).headers.Authorization).replace('Bearer ', '');
    const info = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    expect(info.spec).toMatchObject({ interactive: false, cluster: { server: 'https://exec.example:6443', config: { audience: 'kapsule', region: 'fr-par' } } });
  });

  it('interactiveMode as client-go: required for v1, Always refused without a terminal, invalid values named', async () => {
    const { folder, runs } = plugin({ token: 't' });
    const kubeconfig = (mode: string) => execKubeconfig(folder, `      apiVersion: client.authentication.k8s.io/v1\n      command: ./bin/get-token${mode}`);
    await expect(credentialSource(await load({ kubeconfig: kubeconfig('') }))).rejects.toThrow(/^exec plugin ".*get-token": interactiveMode must be set \(Never, IfAvailable or Always\) for client.authentication.k8s.io\/v1$/);
    await expect(credentialSource(await load({ kubeconfig: kubeconfig('\n      interactiveMode: Always') }))).rejects.toThrow(/^exec plugin ".*get-token" must ask on a terminal \(interactiveMode: Always\) and stdin is not one/);
    await expect(credentialSource(await load({ kubeconfig: kubeconfig('\n      interactiveMode: Sometimes') }))).rejects.toThrow(/invalid interactiveMode "Sometimes"/);
    expect(() => runs()).toThrow(); // never run
  });

  it('a plugin that never answers is stopped at the time limit with one line', async () => {
    const folder = join(root, `${++count}-silent`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'silent'), '#!/bin/sh\nexec sleep 600\n');
    chmodSync(join(folder, 'silent'), 0o755);
    const config = execKubeconfig(folder, `      apiVersion: client.authentication.k8s.io/v1\n      command: ./silent\n      interactiveMode: IfAvailable`);
    const terminal = { stdinIsTTY: false, stderr: process.stderr, env: { KAPSULE_HA_EXEC_TIMEOUT: '1s' } };
    const error = await credentialSource(await load({ kubeconfig: config }), terminal).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/^exec plugin ".*silent" gave no credential within 1s \(is it waiting for an answer\? it has no terminal to ask on\): log in with it first, or raise KAPSULE_HA_EXEC_TIMEOUT$/);
    expect((error as { exitCode: number }).exitCode).toBe(3);
  });
});
