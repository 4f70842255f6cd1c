import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { auditOffset, plugin, sim } from '../lib/plugin.ts';
import { expectOneLineFailure, kubeconfigVariant, scratch, writesSince } from '../lib/robustness.ts';

interface BadInput {
  /** A sentence: what the user got wrong. */
  name: string;
  args: string[];
  /** Another kubeconfig (path, made once the simulator is up) or KUBECONFIG. */
  kubeconfig?: () => string;
  env?: () => Record<string, string>;
  /** Puts the cluster in the state the case is about; reset() undoes it afterwards. */
  setup?: () => Promise<void>;
  code: 2 | 3;
  line: RegExp;
}

const kubectl = async (...args: string[]) => {
  const result = await sim.kubectl(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
};

const CASES: BadInput[] = [
  // The command line.
  { name: 'an unknown verb', args: ['frobnicate'], code: 2, line: /^error: unknown verb "frobnicate": expected one of enable, disable, diff, check-drift, status/ },
  { name: 'an unknown component', args: ['enable', 'kube-proxy', '--yes'], code: 2, line: /^error: unknown component "kube-proxy": expected cilium-operator, coredns, metrics-server or all$/ },
  { name: 'an unknown flag', args: ['enable', 'all', '--yes', '--replica', '3'], code: 2, line: /^error: unknown argument: replica \(see '.*enable --help'\)$/i },
  { name: 'no component for disable', args: ['disable', '--yes'], code: 2, line: /^error: name a component: cilium-operator, coredns, metrics-server or all$/ },
  { name: 'negative replicas', args: ['enable', 'cilium-operator', '--replicas', '-1', '--yes'], code: 2, line: /^error: invalid value "-1" for --replicas: expected a whole number of at least 1$/ },
  { name: 'zero replicas', args: ['enable', 'cilium-operator', '--replicas', '0', '--yes'], code: 2, line: /^error: invalid value "0" for --replicas: expected a whole number of at least 1$/ },
  { name: 'a zero autoscaler minimum', args: ['enable', 'coredns', '--min-replicas', '0', '--yes'], code: 2, line: /^error: invalid value "0" for --min-replicas/ },
  { name: 'negative cores per replica', args: ['enable', 'coredns', '--cores-per-replica', '-5', '--yes'], code: 2, line: /^error: invalid value "-5" for --cores-per-replica: expected a number above 0$/ },
  { name: 'a maximum below the minimum', args: ['enable', 'coredns', '--min-replicas', '5', '--max-replicas', '2', '--yes'], code: 2, line: /^error: --max-replicas \(2\) is below --min-replicas \(5\)$/ },
  { name: 'a bad --timeout duration', args: ['enable', 'all', '--timeout', '5x', '--yes'], code: 2, line: /^error: invalid value "5x" for --timeout: expected a duration such as 30s, 5m or 1h/ },
  { name: 'a negative --timeout', args: ['disable', 'all', '--timeout=-1s', '--yes'], code: 2, line: /^error: invalid value "-1s" for --timeout/ },
  { name: 'a bad --request-timeout', args: ['check-drift', '--request-timeout', 'soon'], code: 2, line: /^error: invalid value "soon" for --request-timeout/ },
  { name: 'a bad -o for status', args: ['status', '-o', 'xml'], code: 2, line: /^error: invalid value "xml" for --output: expected one of text, json, yaml$/ },
  { name: 'a bad -o for check-drift', args: ['check-drift', '-o', 'table'], code: 2, line: /^error: invalid value "table" for --output: expected one of text, json, yaml$/ },
  { name: 'a bad --dry-run mode', args: ['enable', 'all', '--dry-run=maybe'], code: 2, line: /^error: invalid value "maybe" for --dry-run: expected one of none, client, server$/ },
  { name: 'enable without --yes and no terminal to ask on', args: ['enable', 'all'], code: 2, line: /^error: enable changes the cluster and needs confirmation: pass --yes/ },
  { name: 'a pool name that cannot be a label value', args: ['enable', 'coredns', '--pools', 'Bad Pool!', '--yes'], code: 2, line: /^error: invalid pool name "Bad Pool!" for --pools: expected a Kubernetes label value$/ },
  { name: '--unpin with pool names', args: ['enable', 'coredns', '--unpin', '--pools', 'default', '--yes'], code: 2, line: /^error: --unpin and --pools with pool names contradict each other$/ },

  // The kubeconfig and the connection.
  { name: 'a --kubeconfig that does not exist', args: ['status', '--kubeconfig', '/nonexistent/kubeconfig'], code: 2, line: /^error: cannot read kubeconfig \/nonexistent\/kubeconfig: ENOENT/ },
  { name: 'a KUBECONFIG listing only missing files', args: ['status'], env: () => ({ KUBECONFIG: '/nonexistent/a:/nonexistent/b' }), code: 2, line: /^error: none of the KUBECONFIG files exists: \/nonexistent\/a:\/nonexistent\/b$/ },
  { name: 'an unreadable kubeconfig (a directory)', args: ['status'], kubeconfig: () => unreadable, code: 2, line: /^error: cannot read kubeconfig .*: EISDIR/ },
  { name: 'a kubeconfig that is not YAML', args: ['check-drift'], kubeconfig: () => garbage, code: 2, line: /^error: cannot read kubeconfig .*: not (a )?valid (kubeconfig|YAML)/ },
  { name: 'a kubeconfig without a current context', args: ['status'], kubeconfig: () => kubeconfigVariant('no-context', (c) => delete c['current-context']), code: 2, line: /^error: the kubeconfig has no current-context: pass --context/ },
  { name: 'an unknown context', args: ['enable', 'all', '--yes', '--context', 'staging'], code: 2, line: /^error: context "staging" not found in the kubeconfig \(contexts: .*admin/ },
  { name: 'a server nobody listens on', args: ['enable', 'all', '--yes'], kubeconfig: () => kubeconfigVariant('unreachable', (c) => (c.clusters[0].cluster.server = 'https://127.0.0.1:1')), code: 3, line: /^error: cannot connect to the Kubernetes API server at https:\/\/127\.0\.0\.1:1: connection refused \(is the cluster running, is the context right\?\)$/ },
  { name: 'a kubeconfig with the wrong CA (TLS failure)', args: ['enable', 'all', '--yes'], kubeconfig: () => kubeconfigVariant('wrong-ca', (c) => (c.clusters[0].cluster['certificate-authority-data'] = Buffer.from(otherCa).toString('base64'))), code: 3, line: /^error: TLS error talking to the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+: the server's certificate is signed by an unknown authority: set the cluster's certificate-authority\(-data\) in the kubeconfig or pass --certificate-authority/ },
  { name: 'a wrong token', args: ['enable', 'all', '--yes'], kubeconfig: () => kubeconfigVariant('wrong-token', (c) => (c.users.find((u: any) => u.name === 'admin').user.token = 'not-a-valid-token')), code: 3, line: /^Error from server \(Unauthorized\): .*rejected the credentials of the kubeconfig user/ },

  // The cluster is not what enable/disable expect.
  { name: 'an original Deployment missing (enable)', args: ['enable', 'all', '--yes'], setup: () => kubectl('delete', 'deployment', 'metrics-server', '-n', 'kube-system'), code: 3, line: /^error: deployment\/metrics-server in namespace kube-system not found: .*check --context and --namespace/ },
  { name: 'an original Deployment missing (disable)', args: ['disable', 'coredns', '--yes'], setup: () => kubectl('delete', 'deployment', 'coredns', '-n', 'kube-system'), code: 3, line: /^error: deployment\/coredns in namespace kube-system not found/ },
  { name: 'a namespace without the components', args: ['enable', 'all', '--yes', '-n', 'default'], code: 3, line: /^error: deployment\/cilium-operator in namespace default not found: .*check --context and --namespace/ },
  {
    name: 'originals already scaled to 0 with no copies (a manual procedure half done)',
    args: ['enable', 'all', '--yes'],
    setup: () => kubectl('scale', 'deployment/coredns', 'deployment/metrics-server', '-n', 'kube-system', '--replicas=0'),
    code: 3,
    line: /^error: deployment\/coredns in namespace kube-system is scaled to 0 and there is no coredns-ha: .*half done.*kubectl -n kube-system scale deployment\/coredns --replicas=1/,
  },
  { name: 'a foreign ConfigMap coredns-ha', args: ['enable', 'coredns', '--yes'], setup: () => kubectl('create', 'configmap', 'coredns-ha', '-n', 'kube-system'), code: 3, line: /^error: configmap\/coredns-ha in namespace kube-system exists but was not created by kubectl-kapsule-ha .*Rename or remove it yourself/ },
  { name: 'a foreign Deployment metrics-server-ha', args: ['disable', 'metrics-server', '--yes'], setup: () => kubectl('create', 'deployment', 'metrics-server-ha', '-n', 'kube-system', '--image=registry.example/other:1'), code: 3, line: /^error: deployment\/metrics-server-ha in namespace kube-system exists but was not created by kubectl-kapsule-ha/ },
  { name: 'a foreign ClusterRole with the autoscaler\'s name', args: ['enable', 'coredns', '--yes'], setup: () => kubectl('create', 'clusterrole', 'kapsule-ha:kube-dns-autoscaler', '--verb=get', '--resource=pods'), code: 3, line: /^error: clusterrole\/kapsule-ha:kube-dns-autoscaler exists but was not created by kubectl-kapsule-ha/ },
  { name: 'a foreign PodDisruptionBudget over the DNS pods', args: ['enable', 'coredns', '--yes'], setup: () => kubectl('create', 'pdb', 'dns-budget', '-n', 'kube-system', '--selector=k8s-app=kube-dns', '--min-available=1'), code: 3, line: /^error: poddisruptionbudget\/dns-budget in namespace kube-system already selects the pods of coredns-ha; .*Delete it/ },
  { name: 'a pool that does not exist', args: ['enable', 'all', '--pools', 'gpu,default', '--yes'], code: 3, line: /^error: pool gpu has no Ready node \(pools with Ready nodes: autoscaled, default\); choose --pools among them, or --unpin\.$/ },
  {
    name: 'a single-zone cluster',
    args: ['enable', 'all', '--yes'],
    setup: () => kubectl('label', 'nodes', '--all', '--overwrite', 'topology.kubernetes.io/zone=fr-par-1'),
    code: 3,
    line: /^error: every Ready node is in one zone \(fr-par-1\).*add a pool in another zone.*--force/,
  },
  { name: 'fewer nodes than cilium-operator replicas', args: ['enable', 'cilium-operator', '--replicas', '20', '--yes'], code: 3, line: /^error: cilium-operator at 20 replicas needs 20 schedulable Ready nodes .*the cluster has 9.* Use --replicas 9, or --force\.$/ },
  {
    name: 'a cluster that does not look like Kapsule',
    args: ['enable', 'all', '--yes'],
    setup: () => kubectl('label', 'nodes', '--all', 'k8s.scaleway.com/pool-name-'),
    code: 3,
    line: /^error: this cluster does not look like Scaleway Kapsule .*check --context, or pass --force/,
  },
];

let unreadable: string;
let garbage: string;
/** A CA that did not sign the simulator's certificate. */
let otherCa: string;

const tried: { name: string; writes: number }[] = [];

describe('bad input: one clear line, the documented exit code, and not a single write', () => {
  beforeAll(async () => {
    await sim.reset();
    unreadable = path.join(scratch, 'a-directory');
    mkdirSync(unreadable, { recursive: true });
    garbage = path.join(scratch, 'garbage.kubeconfig');
    writeFileSync(garbage, 'this: is: not: a kubeconfig: [');
    const caFile = path.join(scratch, 'other-ca.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(scratch, 'other-ca.key'), '-out', caFile, '-days', '1', '-subj', '/CN=other-ca'], { stdio: 'ignore' });
    otherCa = readFileSync(caFile, 'utf8');
  });

  afterAll(async () => {
    const writes = tried.reduce((sum, entry) => sum + entry.writes, 0);
    console.log(`[robustness] bad inputs tried: ${tried.length}, writes on bad input: ${writes}`);
    await sim.reset();
  });

  it.each(CASES)('$name is refused with one line naming it and the way out, exit $code, no write', async (input) => {
    if (input.setup) await input.setup();
    try {
      const offset = auditOffset();
      const kubeconfig = input.kubeconfig ? ['--kubeconfig', input.kubeconfig()] : [];
      const result = await plugin([...input.args, ...kubeconfig], { env: input.env?.() ?? {} });
      const writes = await writesSince(offset);
      tried.push({ name: input.name, writes: writes.length });
      expectOneLineFailure(result, input.code, input.line);
      expect(result.stdout).toBe('');
      expect(writes.map((event) => `${event.verb} ${event.objectRef?.resource}/${event.objectRef?.name}`)).toEqual([]);
    } finally {
      if (input.setup) await sim.reset();
    }
  });

  it('the table has at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });
});
