// The in-cluster guard against the simulator: installed by the built executable, its Jobs
// made by kube-controller-manager's CronJob and Job controllers and their pods run by the
// simulator's runner (the executable, in-cluster credentials only: the ServiceAccount
// token, its CA, the `kubernetes` Service), its findings as Events and as its recorded
// result, its repair under the DNS probe, its RBAC asked of the API server, a clean
// uninstall. And the executable as the image runs it: a read-only root, user 65532, no HOME.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectEveryQueryAnswered, START_DELAY_MS, underDnsProbe } from '../lib/dns.ts';
import { executable } from '../lib/executable.ts';
import { getJson, isWrite, plugin, pluginRequests, sim } from '../lib/plugin.ts';
import { runSandboxed } from '../lib/restricted-sandbox.ts';

const NS = 'kapsule-ha';
const NEW_COREDNS = sim.upgradedImages['registry.k8s.io/coredns/coredns:v1.12.1']!;
const NEW_METRICS_SERVER = sim.upgradedImages['registry.k8s.io/metrics-server/metrics-server:v0.7.2']!;
const SA = `system:serviceaccount:${NS}:kapsule-ha-guard`;

const expectOneLine = (result: { code: number; stderr: string }, code: number, message: RegExp) => {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(message);
};

async function ok(args: string[]): Promise<string> {
  const result = await plugin(args);
  if (result.code !== 0) throw new Error(`kubectl-kapsule_ha ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** `guard run` as the image runs it, in the restricted sandbox, with the ServiceAccount's credentials only. */
async function runGuardInCluster() {
  const token = await sim.kubectl(['create', 'token', 'kapsule-ha-guard', '-n', NS]);
  if (token.code !== 0) throw new Error(`kubectl create token: ${token.stderr}`);
  const server = new URL(sim.info().server);
  return runSandboxed(executable, ['guard', 'run'], {
    env: { KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port },
    serviceAccount: { token: token.stdout.trim(), ca: readFileSync(sim.info().caFile, 'utf8'), namespace: NS },
  });
}

let jobs = 0;

/** A Job from the guard's CronJob (as `kubectl create job --from`), to its end: its pod's phase and exit code. */
async function runGuardJob(): Promise<{ phase: string; exitCode: number; log: string }> {
  const name = `guard-run-${++jobs}`;
  const created = await sim.kubectl(['create', 'job', `--from=cronjob/kapsule-ha-guard`, name, '-n', NS]);
  if (created.code !== 0) throw new Error(`kubectl create job: ${created.stderr}`);
  for (let i = 0; i < 240; i++) {
    const pods = (await getJson(['pods', '-n', NS, '-l', `job-name=${name}`])).items as any[];
    const pod = pods.find((candidate) => ['Succeeded', 'Failed'].includes(candidate.status?.phase));
    if (pod) {
      const job = await getJson(['job', name, '-n', NS]);
      const finished = (job.status?.conditions ?? []).some((c: any) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True');
      if (finished) {
        const log = readFileSync(sim.podLogFile(NS, pod.metadata.name), 'utf8');
        return { phase: pod.status.phase, exitCode: pod.status.containerStatuses[0].state.terminated.exitCode, log };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`job ${name} did not end within 60 s`);
}

const canI = async (args: string[]): Promise<boolean> => {
  const result = await sim.kubectl(['auth', 'can-i', ...args, '--as', SA]);
  return result.stdout.trim() === 'yes';
};

const lastResult = async () => JSON.parse((await getJson(['configmap', 'kapsule-ha-guard-result', '-n', NS])).data.result);

describe('guard refusals', () => {
  beforeAll(() => sim.reset());

  it('a bad --schedule, an unknown flag, --repair before any enable: one line each, and no write', async () => {
    const offset = sim.auditOffset();
    expectOneLine(await plugin(['guard', 'install', '--yes', '--schedule', '*/30 * * *']), 2, /invalid value "\*\/30 \* \* \*" for --schedule: it has 4 fields/);
    expectOneLine(await plugin(['guard', 'install', '--yes', '--every', '30m']), 2, /every/);
    expectOneLine(await plugin(['guard', 'install', '--yes', '--repair']), 3, /--repair re-runs the last "enable".*no component is enabled.*nothing was changed/);
    expect((await pluginRequests(offset)).writes).toBe(0);
    expect(await getJson(['namespace', NS])).toBeUndefined();
  });

  it('--dry-run=server before its namespace exists says why it cannot, instead of failing half way', async () => {
    expectOneLine(await plugin(['guard', 'install', '--yes', '--dry-run=server']), 2, /--dry-run=server cannot check the guard's objects before its namespace kapsule-ha exists: use --dry-run=client/);
  });
});

describe('the guard', () => {
  beforeAll(async () => {
    await sim.reset();
    await sim.setStartDelay(START_DELAY_MS);
    // Settings of the last enable that a repair must keep: pinning and autoscaler parameters.
    await ok(['enable', 'all', '--yes', '--pools', 'default,autoscaled', '--cores-per-replica', '128', '--min-replicas', '2']);
  });

  afterAll(async () => {
    await plugin(['guard', 'remove', '--yes']);
    await sim.reset();
  });

  it('installs as a recipe: --dry-run writes nothing, a re-run and diff find nothing to change', async () => {
    const offset = sim.auditOffset();
    expect(await ok(['guard', 'install', '--dry-run=client'])).toContain('+ create cronjob.batch/kapsule-ha-guard');
    expect((await pluginRequests(offset)).writes).toBe(0);
    await ok(['guard', 'install', '--yes']);
    const namespace = await getJson(['namespace', NS]);
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const cronJob = await getJson(['cronjob', 'kapsule-ha-guard', '-n', NS]);
    expect(cronJob.spec).toMatchObject({ schedule: '*/30 * * * *', concurrencyPolicy: 'Forbid' });
    // Installed, a server-side dry run of a change is judged by the API server and persists nothing.
    const dry = await plugin(['guard', 'install', '--yes', '--dry-run=server', '--schedule', '0 * * * *']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('cronjob.batch/kapsule-ha-guard patched (server dry run)');
    expect((await getJson(['cronjob', 'kapsule-ha-guard', '-n', NS])).spec.schedule).toBe('*/30 * * * *');
    const again = sim.auditOffset();
    const rerun = await plugin(['guard', 'install', '--yes']);
    expect(rerun.stderr).toMatch(/already installed as asked; nothing to change/);
    expect((await plugin(['guard', 'diff'])).code).toBe(0);
    expect((await pluginRequests(again)).writes).toBe(0);
    // From here on the tests start the guard's Jobs themselves: its own schedule must not start
    // one beside theirs (at :00 and :30 it did, and that Job's result overwrote the test's).
    await ok(['guard', 'install', '--yes', '--schedule', '0 0 1 1 *']);
    expect((await getJson(['cronjob', 'kapsule-ha-guard', '-n', NS])).spec.schedule).toBe('0 0 1 1 *');
  });

  it('its pod is admitted under Pod Security "restricted" (server-side dry run of a Job from the CronJob)', async () => {
    const job = await sim.kubectl(['create', 'job', '--from=cronjob/kapsule-ha-guard', 'admission-check', '-n', NS, '-o', 'json', '--dry-run=server']);
    expect(job.code, job.stderr).toBe(0);
    const pod = await sim.kubectl(['run', 'not-restricted', '-n', NS, '--image=registry.k8s.io/pause:3.10', '--dry-run=server']);
    // The label really is enforced: a pod without the restricted settings is refused.
    expect(pod.code).not.toBe(0);
    expect(pod.stderr).toMatch(/violates PodSecurity "restricted/);
  });

  it("its ServiceAccount, check-only: reads, Events and its own result; no Secrets, no other namespace, no Deployment patch", async () => {
    const matrix = {
      // check-drift lists Deployments and Services (one request each) and gets ConfigMaps by name.
      'list deployments.apps -n kube-system': await canI(['list', 'deployments.apps', '-n', 'kube-system']),
      'list services -n kube-system': await canI(['list', 'services', '-n', 'kube-system']),
      'get configmaps/coredns -n kube-system': await canI(['get', 'configmaps/coredns', '-n', 'kube-system']),
      'get configmaps/other -n kube-system': await canI(['get', 'configmaps/other', '-n', 'kube-system']),
      'list nodes': await canI(['list', 'nodes']),
      'create events -n kube-system': await canI(['create', 'events', '-n', 'kube-system']),
      'patch configmaps/kapsule-ha-guard-result -n kapsule-ha': await canI(['patch', 'configmaps/kapsule-ha-guard-result', '-n', NS]),
      'get secrets -n kube-system': await canI(['get', 'secrets', '-n', 'kube-system']),
      'list secrets -A': await canI(['list', 'secrets', '-A']),
      'get secrets -n kapsule-ha': await canI(['get', 'secrets', '-n', NS]),
      'patch deployments -n kube-system': await canI(['patch', 'deployments', '-n', 'kube-system']),
      'patch deployments.apps/coredns-ha -n kube-system': await canI(['patch', 'deployments.apps/coredns-ha', '-n', 'kube-system']),
      'create deployments -n default': await canI(['create', 'deployments', '-n', 'default']),
      'create events -n default': await canI(['create', 'events', '-n', 'default']),
      'patch configmaps -n default': await canI(['patch', 'configmaps', '-n', 'default']),
      'patch configmaps/coredns -n kube-system': await canI(['patch', 'configmaps/coredns', '-n', 'kube-system']),
      'patch configmaps/other -n kapsule-ha': await canI(['patch', 'configmaps/other', '-n', NS]),
      'delete cronjobs -n kapsule-ha': await canI(['delete', 'cronjobs', '-n', NS]),
    };
    expect(matrix).toEqual({
      'list deployments.apps -n kube-system': true,
      'list services -n kube-system': true,
      'get configmaps/coredns -n kube-system': true,
      'get configmaps/other -n kube-system': false,
      'list nodes': true,
      'create events -n kube-system': true,
      'patch configmaps/kapsule-ha-guard-result -n kapsule-ha': true,
      'get secrets -n kube-system': false,
      'list secrets -A': false,
      'get secrets -n kapsule-ha': false,
      'patch deployments -n kube-system': false,
      'patch deployments.apps/coredns-ha -n kube-system': false,
      'create deployments -n default': false,
      'create events -n default': false,
      'patch configmaps -n default': false,
      'patch configmaps/coredns -n kube-system': false,
      'patch configmaps/other -n kapsule-ha': false,
      'delete cronjobs -n kapsule-ha': false,
    });
  });

  it('a Job from its CronJob on a clean cluster succeeds; its result, clean, is shown by guard and status', async () => {
    const run = await runGuardJob();
    expect(run.phase, run.log).toBe('Succeeded');
    expect(run.exitCode).toBe(0);
    expect(run.log).toContain('coredns: in sync');
    expect(await lastResult()).toMatchObject({ kind: 'GuardResult', outcome: 'clean', mode: 'check', findings: [], version: expect.any(String) });
    expect(await ok(['guard'])).toMatch(/last run: \S+ by version \S+ \(check\): clean/);
    expect(await ok(['status'])).toMatch(/guard: installed in namespace kapsule-ha.*check-only/);
  });

  it('the executable as the image runs it (own read-only root, user 65532, no HOME, no writable /tmp) works in-cluster', async () => {
    const run = await runGuardInCluster();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('coredns: in sync');
    expect(await lastResult()).toMatchObject({ outcome: 'clean' });
  });

  it('after a Kapsule upgrade: the next Job fails with exit 1, a Warning Event on each drifted copy names the new image, guard and status show the findings, and it wrote nothing but its Events and result', async () => {
    await sim.upgrade();
    const offset = sim.auditOffset();
    const run = await runGuardJob();
    expect(run.phase, run.log).toBe('Failed');
    expect(run.exitCode).toBe(1);
    const events = (await getJson(['events', '-n', 'kube-system', '--field-selector', 'reason=KapsuleHADrift'])).items as any[];
    const about = (kind: string, name: string) => events.filter((event) => event.involvedObject.kind === kind && event.involvedObject.name === name).map((event) => event.message).join('\n');
    expect(about('Deployment', 'coredns-ha')).toContain(NEW_COREDNS);
    expect(about('Deployment', 'coredns-ha')).toContain('Repair: kubectl kapsule-ha enable coredns');
    expect(about('Deployment', 'metrics-server-ha')).toContain(NEW_METRICS_SERVER);
    for (const arg of sim.upgradedArgs['metrics-server']!) expect(about('Deployment', 'metrics-server-ha')).toContain(arg);
    expect(about('ConfigMap', 'coredns-ha')).toContain('cache 60');
    expect(events.every((event) => event.type === 'Warning')).toBe(true);
    const result = await lastResult();
    expect(result.outcome).toBe('drift');
    expect(result.findings.map((finding: any) => finding.message).join('\n')).toContain(NEW_COREDNS);
    expect(await ok(['guard'])).toMatch(/\(check\): drift: \d+ finding/);
    expect(await ok(['status'])).toContain(NEW_COREDNS);
    const { events: audit } = await sim.readAuditCaughtUp(offset);
    const writes = audit.filter((event) => event.user.username === SA && isWrite(event));
    expect(writes.length).toBeGreaterThan(0);
    const kinds = new Set(writes.map((event) => `${event.verb} ${event.objectRef?.resource}${event.objectRef?.name ? `/${event.objectRef.name}` : ''} -n ${event.objectRef?.namespace}`));
    expect([...kinds].sort()).toEqual(['create events -n kube-system', 'patch configmaps/kapsule-ha-guard-result -n kapsule-ha']);
  });

  it('with --repair: repairs under the DNS probe without a failed query, the next run is clean, the last enable\'s settings are kept', async () => {
    await ok(['guard', 'install', '--repair', '--yes']);
    expect(await canI(['patch', 'deployments', '-n', 'kube-system'])).toBe(true);
    expect(await canI(['get', 'secrets', '-n', 'kube-system'])).toBe(false);
    expect(await canI(['create', 'deployments', '-n', 'default'])).toBe(false);
    const { value: run, dns } = await underDnsProbe(() => runGuardJob());
    expect(run.phase, run.log).toBe('Succeeded');
    expectEveryQueryAnswered(dns, 'guard repair after an upgrade', { originalScaledDown: true });
    expect(await lastResult()).toMatchObject({ outcome: 'repaired', mode: 'repair', repaired: ['cilium-operator', 'coredns', 'metrics-server'] });
    const next = await runGuardJob();
    expect(next.phase, next.log).toBe('Succeeded');
    expect(await lastResult()).toMatchObject({ outcome: 'clean' });
    const copy = await getJson(['deployment', 'coredns-ha', '-n', 'kube-system']);
    const pools = copy.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values;
    expect(pools).toEqual(['default', 'autoscaled']);
    const params = JSON.parse((await getJson(['configmap', 'kube-dns-autoscaler', '-n', 'kube-system'])).data.linear);
    expect(params).toMatchObject({ coresPerReplica: 128, min: 2 });
    expect((await getJson(['deployment', 'cilium-operator', '-n', 'kube-system'])).spec.replicas).toBe(3);
  });

  it('uninstall leaves nothing behind (its Jobs and pods go with its namespace)', async () => {
    expect((await getJson(['pods', '-n', NS])).items.length).toBeGreaterThan(0);
    await ok(['guard', 'remove', '--yes']);
    for (let i = 0; i < 120 && (await getJson(['namespace', NS])); i++) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await getJson(['namespace', NS])).toBeUndefined();
    const leftovers = await sim.kubectl(['get', 'role,rolebinding', '-n', 'kube-system', '-o', 'name']);
    expect(leftovers.stdout).not.toContain('kapsule-ha-guard');
    const cluster = await sim.kubectl(['get', 'clusterrole,clusterrolebinding', '-o', 'name']);
    expect(cluster.stdout).not.toContain('kapsule-ha:guard');
    expect(await ok(['guard'])).toContain('not installed');
  });
});
