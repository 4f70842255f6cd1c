// Helpers of the robustness suite, on top of plugin.ts: kubeconfig variants, the
// fault proxy wired to the simulator, the plugin as a child process that can be killed,
// RBAC for the restricted user, and what a user would look at (Ready pods, zones).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import YAML from 'yaml';
import { layout } from '../sim/lib/layout.ts';
import { pkiFiles } from '../sim/lib/pki.ts';
import { getJson, isWrite, pluginRequests, sim, startPlugin, type RunningPlugin, type RunResult } from './plugin.ts';
import { startFaultProxy, type FaultPlan, type FaultProxy, type ProxyHooks } from './fault-proxy.ts';

export const scratch = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-robust-'));

/** A copy of the simulator's kubeconfig, changed by `edit`; returns its path. */
export function kubeconfigVariant(name: string, edit: (config: any) => void = () => {}): string {
  const config = YAML.parse(readFileSync(sim.info().kubeconfig, 'utf8'));
  edit(config);
  const file = path.join(scratch, `${name}.kubeconfig`);
  writeFileSync(file, YAML.stringify(config));
  return file;
}

/** The simulator's CA and server key pair (files). */
export const simPki = () => pkiFiles(layout());

/** The fault proxy in front of the simulator's API server, and a kubeconfig that goes through it. */
export async function startProxy(plan: FaultPlan, hooks: ProxyHooks = {}): Promise<FaultProxy & { kubeconfig: string }> {
  const pki = simPki();
  const tls = { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), ca: readFileSync(pki.caCert) };
  const proxy = await startFaultProxy(tls, new URL(sim.info().server), plan, hooks);
  const kubeconfig = kubeconfigVariant(`proxy-${proxy.url.split(':').at(-1)}`, (config) => {
    for (const cluster of config.clusters) cluster.cluster.server = proxy.url;
  });
  return Object.assign(proxy, { kubeconfig });
}

export type { RunningPlugin };

/** The plugin as a child process (the caller may kill or interrupt it), with the given kubeconfig. */
export const spawnPlugin = (args: string[], kubeconfig: string = sim.info().kubeconfig): RunningPlugin => startPlugin(args, { kubeconfig });

/** A failure as a user should see it: the exit code, one stderr line matching `line`, no stack trace. */
export function expectOneLineFailure(result: RunResult, code: number, line: RegExp): void {
  const lines = result.stderr.trim().split('\n');
  expect(result.code, result.stderr).toBe(code);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

/** Only the last stderr line is the verdict (progress lines come before it); no stack trace. */
export function expectCleanEnd(result: RunResult, codes: number[]): void {
  expect(codes, result.stderr).toContain(result.code);
  expect(result.stderr).not.toMatch(/^\s+at |\n\s+at |TypeError|ReferenceError|Unhandled/);
  if (result.code !== 0) {
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^(error: |Error from server )/);
    expect(result.stderr.split('\n').filter((line) => /^(error: |Error from server )/.test(line)), result.stderr).toHaveLength(1);
  }
}

/** The plugin's writes since an audit offset, once the audit log has caught up. */
export async function writesSince(offset: number): Promise<sim.AuditEvent[]> {
  return (await pluginRequests(offset)).all.filter(isWrite);
}

export const isReadyPod = (pod: any) =>
  !pod.metadata.deletionTimestamp && pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

export async function readyPods(selector: string): Promise<any[]> {
  // kubectl prints nothing for an empty list with --ignore-not-found.
  return (((await getJson(['pods', '-n', 'kube-system', '-l', selector]))?.items ?? []) as any[]).filter(isReadyPod);
}

/** Node name → zone. */
export async function zoneByNode(): Promise<Map<string, string>> {
  const nodes = (await getJson(['nodes'])).items as any[];
  return new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels['topology.kubernetes.io/zone']]));
}

/** SubjectAccessReview as admin: may `user` (with `groups`) do this? */
export async function can(user: string, attributes: Record<string, string>, groups: string[] = []): Promise<boolean> {
  const api = sim.apiClient();
  try {
    const review = await api.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups, resourceAttributes: attributes } },
    });
    return review.body.status?.allowed === true;
  } finally {
    api.close();
  }
}

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const RESTRICTED_ROLE = 'robustness-restricted';

/**
 * Gives the restricted user exactly these rules (cluster-wide), replacing what an earlier
 * call gave, and waits until the authorizer agrees (`denied`: checks that must fail). reset() removes it.
 */
export async function grantRestricted(rules: Rule[], denied: Record<string, string>[] = []): Promise<void> {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: RESTRICTED_ROLE }, rules };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: RESTRICTED_ROLE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: RESTRICTED_ROLE },
    subjects: [{ kind: 'User', name: sim.info().restrictedUser, apiGroup: 'rbac.authorization.k8s.io' }],
  };
  const applied = await sim.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [role, binding] }) });
  if (applied.code !== 0) throw new Error(`granting the restricted user failed: ${applied.stderr}`);
  // The RBAC authorizer follows an informer: wait until every rule is in force.
  const user = sim.info().restrictedUser;
  for (let attempt = 0; attempt < 50; attempt++) {
    const checks = await Promise.all(
      rules.flatMap((rule) =>
        rule.verbs.map((verb) => {
          const [resource, subresource] = rule.resources[0]!.split('/');
          return can(user, { verb, group: rule.apiGroups[0]!, resource: resource!, ...(subresource ? { subresource } : {}), ...(rule.resourceNames ? { name: rule.resourceNames[0]! } : {}) });
        }),
      ),
    );
    const refused = await Promise.all(denied.map(async (attributes) => !(await can(user, attributes))));
    if (checks.every(Boolean) && refused.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the restricted user\'s new rules did not take effect within 5s');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The kube-system Deployments by name: replicas wanted and Ready, and our label. */
export async function deployments(): Promise<Map<string, { replicas: number; ready: number; ours: boolean; annotations: Record<string, string> }>> {
  const api = sim.apiClient();
  try {
    const list = await api.request('GET', '/apis/apps/v1/namespaces/kube-system/deployments');
    return new Map(
      (list.body.items as any[]).map((d) => [
        d.metadata.name,
        {
          replicas: d.spec.replicas,
          ready: d.status?.readyReplicas ?? 0,
          ours: d.metadata.labels?.['app.kubernetes.io/managed-by'] === 'kubectl-kapsule-ha',
          annotations: d.metadata.annotations ?? {},
        },
      ]),
    );
  } finally {
    api.close();
  }
}

/** What `enable all` leaves: copies Ready (3 DNS, 2 metrics), originals at 0, 3 operators. */
/** Waits until every Deployment of kube-system has its wanted replicas Ready (at most `seconds`). */
export async function deploymentsSettled(seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 4; i++) {
    const all = [...(await deployments()).values()];
    if (all.every((d) => d.ready >= d.replicas)) return true;
    await sleep(250);
  }
  return false;
}

/** What `enable` of these components (default: all) leaves; the others as the seed has them. */
export async function expectEnabled(components: readonly string[] = ['cilium-operator', 'coredns', 'metrics-server']): Promise<void> {
  const d = await deployments();
  if (components.includes('coredns')) {
    expect(d.get('coredns')?.replicas).toBe(0);
    expect(d.get('coredns-ha')).toMatchObject({ replicas: 3, ready: 3, ours: true });
    expect(d.get('kube-dns-autoscaler')).toMatchObject({ ours: true });
  }
  if (components.includes('metrics-server')) {
    expect(d.get('metrics-server')?.replicas).toBe(0);
    expect(d.get('metrics-server-ha')).toMatchObject({ replicas: 2, ready: 2, ours: true });
  } else {
    expect(d.get('metrics-server')?.replicas).toBe(1);
    expect(d.has('metrics-server-ha')).toBe(false);
  }
  if (components.includes('cilium-operator')) expect(d.get('cilium-operator')).toMatchObject({ replicas: 3, ready: 3 });
}

/** What `disable all` leaves: the seed's three Deployments at 1 replica, Ready, and nothing of ours. */
export async function expectDisabled(): Promise<void> {
  const d = await deployments();
  expect([...d.keys()].sort()).toEqual(['cilium-operator', 'coredns', 'metrics-server']);
  for (const [name, deployment] of d) {
    expect(deployment.replicas, name).toBe(1);
    expect(deployment.ready, name).toBeGreaterThanOrEqual(1);
  }
  expect(Object.keys(d.get('cilium-operator')!.annotations).filter((key) => key.startsWith('kapsule-ha'))).toEqual([]);
}

export const faultsIn = (proxy: FaultProxy): number => Object.values(proxy.injected).reduce((sum, count) => sum + count, 0);
