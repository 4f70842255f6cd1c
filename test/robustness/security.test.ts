import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOffset, plugin, sim } from '../lib/plugin.ts';
import { can, expectOneLineFailure, grantRestricted, kubeconfigVariant, scratch, simPki, writesSince, type Rule } from '../lib/robustness.ts';

const AUTOSCALER = 'system:serviceaccount:kube-system:kube-dns-autoscaler';
const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'];
const inKubeSystem = (verb: string, resource: string, extra: Record<string, string> = {}) => ({ verb, resource, namespace: 'kube-system', group: '', ...extra });
const scaleOf = (verb: string, name: string) => inKubeSystem(verb, 'deployments', { group: 'apps', subresource: 'scale', name });

describe('the DNS autoscaler\'s ServiceAccount has exactly what it needs', () => {
  beforeAll(async () => {
    await sim.reset();
    const enabled = await plugin(['enable', 'coredns', '--yes']);
    if (enabled.code !== 0) throw new Error(`enable coredns failed: ${enabled.stderr}`);
  });

  afterAll(() => sim.reset());

  it.each([
    ['get its ConfigMap kube-dns-autoscaler', inKubeSystem('get', 'configmaps', { name: 'kube-dns-autoscaler' })],
    ['list nodes', { verb: 'list', group: '', resource: 'nodes' }],
    ['watch nodes', { verb: 'watch', group: '', resource: 'nodes' }],
    ['get the scale of coredns-ha', scaleOf('get', 'coredns-ha')],
    ['update the scale of coredns-ha', scaleOf('update', 'coredns-ha')],
  ])('it may %s', async (_, attributes) => {
    expect(await can(AUTOSCALER, attributes, SA_GROUPS)).toBe(true);
  });

  it.each([
    ['get the Corefile ConfigMap coredns', inKubeSystem('get', 'configmaps', { name: 'coredns' })],
    ['list ConfigMaps', inKubeSystem('list', 'configmaps')],
    ['update its own ConfigMap', inKubeSystem('update', 'configmaps', { name: 'kube-dns-autoscaler' })],
    ['get Secrets', inKubeSystem('get', 'secrets')],
    ['list Secrets', inKubeSystem('list', 'secrets')],
    ['get Secrets in another namespace', { verb: 'get', group: '', resource: 'secrets', namespace: 'default' }],
    ['get nodes one by one', { verb: 'get', group: '', resource: 'nodes' }],
    ['update nodes', { verb: 'update', group: '', resource: 'nodes' }],
    ['update the scale of the original coredns', scaleOf('update', 'coredns')],
    ['update the scale of metrics-server-ha', scaleOf('update', 'metrics-server-ha')],
    ['update the scale of cilium-operator', scaleOf('update', 'cilium-operator')],
    ['update the Deployment coredns-ha itself', inKubeSystem('update', 'deployments', { group: 'apps', name: 'coredns-ha' })],
    ['patch the Deployment coredns-ha itself', inKubeSystem('patch', 'deployments', { group: 'apps', name: 'coredns-ha' })],
    ['create pods', inKubeSystem('create', 'pods')],
    ['delete pods', inKubeSystem('delete', 'pods')],
    ['change its own Role', inKubeSystem('update', 'roles', { group: 'rbac.authorization.k8s.io', name: 'kube-dns-autoscaler' })],
  ])('it may not %s', async (_, attributes) => {
    expect(await can(AUTOSCALER, attributes, SA_GROUPS)).toBe(false);
  });
});

describe('no credential ever appears in the output', () => {
  let keyFile: string;
  let certKubeconfig: string;

  beforeAll(async () => {
    await sim.reset();
    // A second admin that authenticates with a client certificate signed by the cluster CA.
    const pki = simPki();
    keyFile = path.join(scratch, 'client.key');
    const csr = path.join(scratch, 'client.csr');
    const cert = path.join(scratch, 'client.crt');
    execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', '/O=system:masters/CN=robust-cert-admin'], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-out', cert, '-days', '1'], { stdio: 'ignore' });
    certKubeconfig = kubeconfigVariant('client-cert', (config) => {
      config.users = [{ name: 'cert-admin', user: { 'client-certificate-data': readFileSync(cert).toString('base64'), 'client-key-data': readFileSync(keyFile).toString('base64') } }];
      config.contexts = [{ name: 'cert', context: { cluster: config.clusters[0].name, user: 'cert-admin' } }];
      config['current-context'] = 'cert';
    });
  });

  afterAll(() => sim.reset());

  /** Every piece of secret material a leak could show: the tokens, the key in PEM and base64, its body lines. */
  const secrets = () => {
    const { adminToken, restrictedToken } = sim.info();
    const pem = readFileSync(keyFile, 'utf8');
    const bodyLines = pem.split('\n').filter((line) => line && !line.startsWith('-----'));
    return [adminToken, restrictedToken, Buffer.from(pem).toString('base64').slice(0, 40), ...bodyLines.map((line) => line.slice(0, 32))];
  };

  it('no verb, at any verbosity up to -v 9, prints a bearer token or a client key, on success or failure', async () => {
    // -v 6 logs requests, 8 request bodies, 9 response bodies: every level that adds output.
    const runs = (kubeconfig: string): string[][] =>
      kubeconfig === certKubeconfig
        ? [['status', '-v', '9'], ['enable', 'all', '--yes', '-v', '9'], ['disable', 'all', '--yes', '-v', '9']]
        : [
            ['status'], ['status', '-v', '6'], ['diff', 'all', '-v', '8'], ['status', '-v', '9'], ['diff', 'all', '-v', '9'],
            ['enable', 'all', '--yes', '-v', '9'], ['check-drift', '-v', '9'], ['check-drift', '-o', 'json', '-v', '9'], ['disable', 'all', '--yes', '-v', '9'],
          ];
    let bytes = 0;
    let requestLines = 0;
    for (const kubeconfig of [sim.info().kubeconfig, certKubeconfig]) {
      for (const args of runs(kubeconfig)) {
        const result = await plugin([...args, '--kubeconfig', kubeconfig]);
        expect([0, 1], `${args.join(' ')}: ${result.stderr}`).toContain(result.code);
        const output = result.stdout + result.stderr;
        bytes += output.length;
        requestLines += (output.match(/^GET https:/gm) ?? []).length;
        for (const secret of secrets()) expect(output.includes(secret), `${args.join(' ')} printed a secret`).toBe(false);
        expect(output).not.toMatch(/Bearer [A-Za-z0-9]|PRIVATE KEY|client-key-data|client-certificate-data|Authorization:/);
      }
    }
    // The verbose runs did log requests and bodies: the check above saw real traffic.
    expect(requestLines).toBeGreaterThan(50);
    expect(bytes).toBeGreaterThan(100_000);
  });

  it('a rejected token is not echoed back, even at -v 9', async () => {
    const token = 'robustness-wrong-token-0123456789abcdef';
    const kubeconfig = kubeconfigVariant('leaky-token', (config) => (config.users.find((u: any) => u.name === 'admin').user.token = token));
    const result = await plugin(['enable', 'all', '--yes', '-v', '9', '--kubeconfig', kubeconfig]);
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(result.stdout + result.stderr).not.toContain(token.slice(0, 16));
  });
});

// Everything `enable all` needs from a freshly seeded cluster, one permission per rule so
// that each case can take exactly one away. (PodDisruptionBudgets are only listed, not got.)
const rule = (verb: string, group: string, resource: string, resourceNames?: string[]): Rule => ({ apiGroups: [group], resources: [resource], verbs: [verb], ...(resourceNames ? { resourceNames } : {}) });
const REQUIRED: { rule: Rule; missing: RegExp }[] = [
  // Reads before planning: the server's Forbidden names what is missing.
  { rule: rule('list', '', 'nodes'), missing: /cannot list resource "nodes"/ },
  { rule: rule('list', 'policy', 'poddisruptionbudgets'), missing: /cannot list resource "poddisruptionbudgets" in API group "policy"/ },
  { rule: rule('get', 'apps', 'deployments'), missing: /cannot get resource "deployments" in API group "apps"/ },
  { rule: rule('get', '', 'configmaps'), missing: /cannot get resource "configmaps"/ },
  { rule: rule('get', '', 'services'), missing: /cannot get resource "services"/ },
  { rule: rule('get', '', 'serviceaccounts'), missing: /cannot get resource "serviceaccounts"/ },
  { rule: rule('get', 'rbac.authorization.k8s.io', 'roles'), missing: /cannot get resource "roles"/ },
  { rule: rule('get', 'rbac.authorization.k8s.io', 'rolebindings'), missing: /cannot get resource "rolebindings"/ },
  { rule: rule('get', 'rbac.authorization.k8s.io', 'clusterroles'), missing: /cannot get resource "clusterroles"/ },
  { rule: rule('get', 'rbac.authorization.k8s.io', 'clusterrolebindings'), missing: /cannot get resource "clusterrolebindings"/ },
  // Writes and the waits' reads: the preflight names them before any write.
  { rule: rule('patch', 'apps', 'deployments'), missing: /^patch deployments\.apps in kube-system$/ },
  { rule: rule('create', 'apps', 'deployments'), missing: /^create deployments\.apps in kube-system$/ },
  { rule: rule('create', '', 'configmaps'), missing: /^create configmaps in kube-system$/ },
  { rule: rule('create', 'policy', 'poddisruptionbudgets'), missing: /^create poddisruptionbudgets\.policy in kube-system$/ },
  { rule: rule('create', '', 'serviceaccounts'), missing: /^create serviceaccounts in kube-system$/ },
  { rule: rule('create', 'rbac.authorization.k8s.io', 'roles'), missing: /^create roles\.rbac\.authorization\.k8s\.io in kube-system$/ },
  { rule: rule('create', 'rbac.authorization.k8s.io', 'rolebindings'), missing: /^create rolebindings\.rbac\.authorization\.k8s\.io in kube-system$/ },
  { rule: rule('create', 'rbac.authorization.k8s.io', 'clusterroles'), missing: /^create clusterroles\.rbac\.authorization\.k8s\.io$/ },
  { rule: rule('create', 'rbac.authorization.k8s.io', 'clusterrolebindings'), missing: /^create clusterrolebindings\.rbac\.authorization\.k8s\.io$/ },
  // The waits watch the Deployment, its pods and the Service's EndpointSlices.
  { rule: rule('watch', 'apps', 'deployments'), missing: /^watch deployments\.apps in kube-system$/ },
  { rule: rule('watch', '', 'pods'), missing: /^watch pods in kube-system$/ },
  { rule: rule('watch', 'discovery.k8s.io', 'endpointslices'), missing: /^watch endpointslices\.discovery\.k8s\.io in kube-system$/ },
  // What the autoscaler's Roles grant: RBAC lets nobody grant what they do not hold.
  { rule: rule('watch', '', 'nodes'), missing: /^watch nodes$/ },
  { rule: rule('get', 'apps', 'deployments/scale'), missing: /^get deployments\.apps\/scale coredns-ha in kube-system$/ },
  { rule: rule('update', 'apps', 'deployments/scale'), missing: /^update deployments\.apps\/scale coredns-ha in kube-system$/ },
];

const attributesOf = (r: Rule) => {
  const [resource, subresource] = r.resources[0]!.split('/');
  return { verb: r.verbs[0]!, group: r.apiGroups[0]!, resource: resource!, ...(subresource ? { subresource } : {}) };
};

describe('the restricted user lacking one permission at a time', () => {
  beforeAll(() => sim.reset());
  afterAll(() => sim.reset());

  it.each(REQUIRED.map((entry, index) => ({ ...entry, name: `${entry.rule.verbs[0]} ${entry.rule.resources[0]}`, index })))(
    'without $name, enable all names exactly that, changes nothing and exits 3',
    async ({ index, missing }) => {
      const others = REQUIRED.filter((_, i) => i !== index).map((entry) => entry.rule);
      await grantRestricted(others, [attributesOf(REQUIRED[index]!.rule)]);
      const offset = auditOffset();
      const result = await plugin(['enable', 'all', '--yes'], { context: 'restricted' });
      const writes = await writesSince(offset);
      // Keep the next cases independent of a failure here.
      if (writes.length > 0) await sim.reset();
      expect(writes).toEqual([]);
      expectOneLineFailure(result, 3, /forbidden|not allowed/i);
      const preflight = /you are not allowed to (.*); nothing was changed/.exec(result.stderr);
      if (preflight) expect(preflight[1]!.split(', '), result.stderr).toEqual([expect.stringMatching(missing)]);
      else expect(result.stderr).toMatch(missing);
    },
  );

  it('with every one of them, the restricted user can enable all', async () => {
    await grantRestricted(REQUIRED.map((entry) => entry.rule));
    const result = await plugin(['enable', 'all', '--yes'], { context: 'restricted' });
    expect(result.code, result.stderr).toBe(0);
    const drift = await plugin(['check-drift']);
    expect(drift.code, drift.stdout).toBe(0);
  });

  it('a user with no permission at all is told so in one line, without a write', async () => {
    await grantRestricted([], [{ verb: 'list', group: '', resource: 'nodes' }]);
    const offset = auditOffset();
    const result = await plugin(['disable', 'all', '--yes'], { context: 'restricted' });
    expectOneLineFailure(result, 3, /^Error from server \(Forbidden\): .*User "restricted" cannot (get|list) resource/);
    expect(await writesSince(offset)).toEqual([]);
  });
});

describe('the restricted user lacking one delete permission that disable all needs', () => {
  // What disable all needs once enabled: the reads, scaling the originals back, the waits'
  // reads, and a delete for each kind of object it made.
  const deletes = ['deployments.apps', 'configmaps', 'poddisruptionbudgets.policy', 'serviceaccounts', 'roles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io', 'clusterroles.rbac.authorization.k8s.io', 'clusterrolebindings.rbac.authorization.k8s.io'];
  const deleteRule = (name: string) => {
    const [resource, ...group] = name.split('.');
    return rule('delete', group.join('.'), resource!);
  };
  const reads = REQUIRED.slice(0, 10).map((entry) => entry.rule);
  const others = [rule('patch', 'apps', 'deployments'), rule('watch', 'apps', 'deployments'), rule('watch', '', 'pods'), rule('watch', 'discovery.k8s.io', 'endpointslices')];

  beforeAll(async () => {
    await sim.reset();
    const enabled = await plugin(['enable', 'all', '--yes']);
    if (enabled.code !== 0) throw new Error(`enable all failed: ${enabled.stderr}`);
  });
  afterAll(() => sim.reset());

  it.each(deletes)('without delete %s, disable all names exactly that, changes nothing and exits 3', async (missing) => {
    const granted = [...reads, ...others, ...deletes.filter((name) => name !== missing).map(deleteRule)];
    await grantRestricted(granted, [attributesOf(deleteRule(missing))]);
    const offset = auditOffset();
    const result = await plugin(['disable', 'all', '--yes'], { context: 'restricted' });
    expect(await writesSince(offset)).toEqual([]);
    expectOneLineFailure(result, 3, /you are not allowed to (.*); nothing was changed/);
    const cluster = !/^(roles|rolebindings|configmaps|serviceaccounts|deployments|poddisruptionbudgets)\b/.test(missing);
    expect(/you are not allowed to (.*); nothing was changed/.exec(result.stderr)![1]!.split(', ')).toEqual([`delete ${missing}${cluster ? '' : ' in kube-system'}`]);
  });
});
