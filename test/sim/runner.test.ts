// The process runner plays the kubelet for CoreDNS and the proportional autoscaler:
// their real programs run, and what the API shows of them comes from real probes.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { pollUntil } from './lib/settle.ts';
import { runnableImages } from './runner/images.ts';
import { auditOffset, clusterHttpGet, clusterNetwork, createTestNamespace, info, kubectl, podLogFile, processIdOf, readAuditCaughtUp, resolveIn, upstreamAnswer, upstreamName, waitForAudit, type AuditEvent } from './sim.ts';
import { onFreshSimulator } from './fresh-simulator.ts';

const run = promisify(execFile);

const api = onFreshSimulator();

/** One UDP query to address:53 from the cluster namespace (as a node would send it). */
function resolve(address: string, name: string): Promise<string[] | string> {
  return resolveIn(clusterNetwork(), address, name);
}

/** The route the cluster namespace has to a pod IP (empty once the pod is gone). */
async function routeTo(podIP: string): Promise<string> {
  return (await run('nsenter', [`--net=${clusterNetwork()}`, 'ip', 'route', 'show', `${podIP}/32`])).stdout.trim();
}

const isReady = (pod: any) => pod?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ?? false;

async function podsOf(namespace: string, selector: string): Promise<any[]> {
  return api.list(`/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`);
}

/** A one-replica CoreDNS Deployment reading `corefile` from its own ConfigMap, its /ready probed every 2 s (or as `probe` says). */
async function createCoreDns(namespace: string, corefile: string, probe: Record<string, number> = { periodSeconds: 2 }): Promise<void> {
  await api.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, { body: { metadata: { name: 'dns' }, data: { Corefile: corefile } } });
  const labels = { app: 'dns' };
  await api.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
    body: {
      metadata: { name: 'dns' },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'coredns',
                image: 'registry.k8s.io/coredns/coredns:v1.12.1',
                args: ['-conf', '/etc/coredns/Corefile'],
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, ...probe },
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'dns' } }],
          },
        },
      },
    },
  });
}

describe('CoreDNS', () => {
  test('the seeded coredns pod turns Ready only after its process starts, then answers on its own pod IP with its Corefile as the ConfigMap has it', async () => {
    const [old] = await podsOf('kube-system', 'k8s-app=kube-dns');
    await api.request('DELETE', `/api/v1/namespaces/kube-system/pods/${old.metadata.name}`);
    const seen = new Set<string>();
    let pod: any;
    await pollUntil('a new Ready coredns pod', 60_000, async () => {
      pod = (await podsOf('kube-system', 'k8s-app=kube-dns')).find((p) => p.metadata.uid !== old.metadata.uid);
      const state = pod?.status?.containerStatuses?.[0]?.state ?? {};
      if (pod) seen.add(`${Object.keys(state)[0]}:${state.waiting?.reason ?? ''}:${isReady(pod)}`);
      return pod && isReady(pod) ? undefined : 'Ready';
    }, 50);
    // The start-up delay (the image pull) shows as ContainerCreating, not Ready.
    expect(seen).toContain('waiting:ContainerCreating:false');
    const address = pod.status.podIP as string;
    expect(address).toMatch(/^100\.79\./);
    expect((await clusterHttpGet(address, 8181, '/ready')).status).toBe(200);
    expect(await resolve(address, 'kubernetes.default.svc.cluster.local')).toEqual(['10.32.0.1']);
    expect(await resolve(address, upstreamName)).toEqual([upstreamAnswer]);
    expect(await resolve(address, 'nowhere.upstream.test')).toBe('NXDOMAIN');
    // The Corefile the process reads (in its own mount namespace) is the ConfigMap's, byte for byte.
    const { body: configMap } = await api.get('/api/v1/namespaces/kube-system/configmaps/coredns');
    expect(readFileSync(`/proc/${processIdOf(pod)}/root/etc/coredns/Corefile`, 'utf8')).toBe(configMap.data.Corefile);
    // Its resolv.conf is the node's (dnsPolicy Default): the upstream server.
    expect(readFileSync(`/proc/${processIdOf(pod)}/root/etc/resolv.conf`, 'utf8')).toMatch(/^nameserver 172\.16\.0\.1$/m);
    // The EndpointSlice of kube-dns lists it, as for any Ready pod.
    const slices = await api.list('/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns');
    expect(slices.flatMap((s) => (s.endpoints ?? []).flatMap((e: any) => e.addresses))).toContain(pod.status.podIP);
  });

  test("a Ready=False written by someone else (the node controller, after a late node lease) is put back, as a kubelet's status manager does", async () => {
    // The serving one: the previous test's deleted pod may still be terminating (lameduck).
    const pod = (await podsOf('kube-system', 'k8s-app=kube-dns')).find((p) => isReady(p) && !p.metadata.deletionTimestamp);
    expect(pod).toBeDefined();
    const conditions = pod.status.conditions.map((c: any) => (c.type === 'Ready' ? { ...c, status: 'False', reason: 'NodeNotReady' } : c));
    await api.request('PATCH', `/api/v1/namespaces/kube-system/pods/${pod.metadata.name}/status`, { body: { status: { conditions } }, contentType: 'application/merge-patch+json' });
    await pollUntil('Ready again', 10_000, async () => {
      const { body } = await api.get(`/api/v1/namespaces/kube-system/pods/${pod.metadata.name}`);
      return isReady(body) ? undefined : 'Ready';
    }, 100);
  });

  test('a Corefile CoreDNS rejects gives a pod that never turns Ready, restarts, and shows CrashLoopBackOff', async () => {
    const namespace = await createTestNamespace('bad-corefile');
    await createCoreDns(namespace, '.:53 {\n    no_such_plugin\n    ready\n}\n');
    let pod: any;
    let everReady = false;
    await pollUntil('restarts and CrashLoopBackOff', 60_000, async () => {
      [pod] = await podsOf(namespace, 'app=dns');
      everReady ||= isReady(pod);
      const status = pod?.status?.containerStatuses?.[0];
      return status?.restartCount >= 2 && status.state.waiting?.reason === 'CrashLoopBackOff' ? undefined : 'restartCount >= 2 and CrashLoopBackOff';
    });
    expect(everReady).toBe(false);
    expect(pod.status.containerStatuses[0].lastState.terminated.exitCode).not.toBe(0);
    const listed = await kubectl(['-n', namespace, 'get', 'pods', '--no-headers']);
    expect(listed.stdout).toMatch(/0\/1\s+CrashLoopBackOff\s+[2-9]/);
    expect(readFileSync(podLogFile(namespace, pod.metadata.name), 'utf8')).toMatch(/no_such_plugin/);
  });

  test('a deleted pod is still probed, as a kubelet does: CoreDNS fails /ready at once, so the pod turns Ready=False while it answers through its lameduck', async () => {
    const namespace = await createTestNamespace('lameduck');
    // Probed as the plugin probes its copies.
    await createCoreDns(namespace, '.:53 {\n    health {\n        lameduck 5s\n    }\n    ready\n    hosts {\n        192.0.2.7 lame.test\n    }\n}\n', { periodSeconds: 1, failureThreshold: 2 });
    let pod: any;
    await pollUntil('a Ready pod', 60_000, async () => {
      [pod] = await podsOf(namespace, 'app=dns');
      return pod && isReady(pod) ? undefined : 'Ready';
    });
    const address = pod.status.podIP as string;
    const pid = processIdOf(pod);
    await api.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}`);
    await pollUntil('Ready=False while deleted', 10_000, async () => {
      const { body } = await api.get(`/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}`);
      return body.metadata.deletionTimestamp && !isReady(body) ? undefined : 'deleted and not Ready';
    }, 100);
    // Not Ready, and still answering: its lameduck (5 s) had not run out.
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    expect(await resolve(address, 'lame.test')).toEqual(['192.0.2.7']);
    await pollUntil('the pod to be gone', 30_000, async () => ((await podsOf(namespace, 'app=dns')).some((p) => p.metadata.uid === pod.metadata.uid) ? 'gone' : undefined));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  test('an edited ConfigMap reaches the running process (reload), and deleting the pod stops it', async () => {
    const namespace = await createTestNamespace('reload');
    const corefile = (ip: string) => `.:53 {\n    ready\n    hosts {\n        ${ip} edited.test\n    }\n    reload 2s 1s\n}\n`;
    await createCoreDns(namespace, corefile('192.0.2.1'));
    let pod: any;
    await pollUntil('a Ready pod', 60_000, async () => {
      [pod] = await podsOf(namespace, 'app=dns');
      return pod && isReady(pod) ? undefined : 'Ready';
    });
    const address = pod.status.podIP as string;
    expect(await resolve(address, 'edited.test')).toEqual(['192.0.2.1']);
    expect(await routeTo(address)).toMatch(/dev v79-/);
    await api.request('PATCH', `/api/v1/namespaces/${namespace}/configmaps/dns`, { body: { data: { Corefile: corefile('192.0.2.2') } }, contentType: 'application/merge-patch+json' });
    await pollUntil('the edited answer', 60_000, async () => {
      const answer = await resolve(address, 'edited.test');
      return JSON.stringify(answer) === '["192.0.2.2"]' ? undefined : `192.0.2.2 (got ${JSON.stringify(answer)})`;
    }, 500);
    // Reloaded, not restarted.
    const [after] = await podsOf(namespace, 'app=dns');
    expect(after.status.containerStatuses[0].restartCount).toBe(0);

    const pid = processIdOf(after);
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    await api.request('DELETE', `/apis/apps/v1/namespaces/${namespace}/deployments/dns`);
    await pollUntil('the pod to be gone', 60_000, async () => ((await podsOf(namespace, 'app=dns')).length === 0 ? undefined : 'no pod'));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(await resolve(address, 'edited.test')).toBe('timeout');
    // Its network namespace went with it: no veth, no route.
    expect(await routeTo(address)).toBe('');
    // kwok takes back the IPs of deleted pods inside its range: a runner pod's must never
    // be handed to one of kwok's pods (it would have two holders in the EndpointSlices).
    const labels = { app: 'kwok-pods' };
    await api.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, { body: { metadata: { name: 'kwok-pods' }, spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } } } } });
    let kwokPods: any[] = [];
    await pollUntil('3 kwok pods with IPs', 30_000, async () => {
      kwokPods = (await podsOf(namespace, 'app=kwok-pods')).filter((p) => p.status?.podIP);
      return kwokPods.length === 3 ? undefined : '3 pods with an IP';
    });
    for (const kwokPod of kwokPods) expect(kwokPod.status.podIP).toMatch(/^100\.(6[4-9]|7[01])\./);
  });
});

test("kwok's pod stages skip exactly the images the runner runs", () => {
  const stages = readFileSync(path.join(info().stateDir, 'kwok.yaml'), 'utf8');
  const patterns = [...stages.matchAll(/any\(\.image \| test\("(.+?)"\)\)/g)].map((m) => m[1] as string);
  expect(patterns).toHaveLength(3);
  const skipped = (image: string) => patterns.every((p) => new RegExp(p).test(image));
  for (const image of runnableImages) expect(skipped(`${image.prefix}:v9.9.9`)).toBe(true);
  expect(skipped('registry.k8s.io/pause:3.10')).toBe(false);
  expect(skipped('registry.k8s.io/metrics-server/metrics-server:v0.7.2')).toBe(true);
  // cilium-operator's pods stay kwok's.
  expect(skipped('quay.io/cilium/operator-generic:v1.17.6')).toBe(false);
});

describe('the proportional autoscaler', () => {
  test('runs with its service account token: scales its target by the linear formula, and its log has no 403', async () => {
    const namespace = await createTestNamespace('cpa');
    const auditStart = auditOffset();
    const create = (path: string, body: unknown) => api.request('POST', path, { body });
    await create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { metadata: { name: 'cpa' } });
    await create('/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: `${namespace}-cpa` }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }] });
    await create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: `${namespace}-cpa` }, subjects: [{ kind: 'ServiceAccount', name: 'cpa', namespace }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${namespace}-cpa` } });
    await create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
      metadata: { name: 'cpa' },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cpa'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['deployments/scale'], resourceNames: ['target'], verbs: ['get', 'update'] },
      ],
    });
    await create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, { metadata: { name: 'cpa' }, subjects: [{ kind: 'ServiceAccount', name: 'cpa', namespace }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cpa' } });
    // 9 nodes of 4 CPUs: max(ceil(36 / 1000), ceil(9 / 3)) = 3 replicas.
    await create(`/api/v1/namespaces/${namespace}/configmaps`, { metadata: { name: 'cpa' }, data: { linear: JSON.stringify({ coresPerReplica: 1000, nodesPerReplica: 3, min: 1 }) } });
    const target = { app: 'target' };
    await create(`/apis/apps/v1/namespaces/${namespace}/deployments`, { metadata: { name: 'target' }, spec: { replicas: 1, selector: { matchLabels: target }, template: { metadata: { labels: target }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } } } });
    const cpa = { app: 'cpa' };
    await create(`/apis/apps/v1/namespaces/${namespace}/deployments`, {
      metadata: { name: 'cpa' },
      spec: {
        replicas: 1,
        selector: { matchLabels: cpa },
        template: {
          metadata: { labels: cpa },
          spec: {
            serviceAccountName: 'cpa',
            containers: [{ name: 'autoscaler', image: 'registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.10.3', command: ['/cluster-proportional-autoscaler', `--namespace=${namespace}`, '--configmap=cpa', '--target=Deployment/target', '--logtostderr=true', '--v=2'] }],
          },
        },
      },
    });
    await pollUntil('the autoscaler to scale its target to 3', 90_000, async () => {
      const { body } = await api.get(`/apis/apps/v1/namespaces/${namespace}/deployments/target`);
      return body.spec.replicas === 3 ? undefined : `replicas 3 (now ${body.spec.replicas})`;
    }, 500);
    // The scaling was done with the pod's own ServiceAccount token, and nothing it asked was refused.
    const asAutoscaler = (e: AuditEvent) => e.user.username === `system:serviceaccount:${namespace}:cpa`;
    const [scaled] = await waitForAudit((e) => asAutoscaler(e) && e.verb === 'update' && e.objectRef?.subresource === 'scale', { sinceOffset: auditStart });
    expect(scaled?.responseStatus?.code).toBe(200);
    expect((await readAuditCaughtUp(auditStart)).events.filter((e) => asAutoscaler(e) && (e.responseStatus?.code ?? 0) >= 400)).toEqual([]);
    const [pod] = await podsOf(namespace, 'app=cpa');
    const log = readFileSync(podLogFile(namespace, pod.metadata.name), 'utf8');
    // A status 403, not a resourceVersion such as "new: 9403".
    expect(log).not.toMatch(/\b403\b|[Ff]orbidden/);
    expect(log).toMatch(/target/i);
  });
});

describe("a Job's pod (the plugin's own image, run as the built executable)", () => {
  const image = `${runnableImages.find((candidate) => candidate.binary === 'kubectl-kapsule_ha')!.prefix}:v0.0.0-test`;
  const createJob = (namespace: string, name: string, args: string[]) =>
    api.request('POST', `/apis/batch/v1/namespaces/${namespace}/jobs`, {
      body: { metadata: { name }, spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image, args }] } } } },
    });
  const finished = async (namespace: string, name: string) => {
    let pod: any;
    await pollUntil(`job ${name} to end`, 60_000, async () => {
      const { body: job } = await api.get(`/apis/batch/v1/namespaces/${namespace}/jobs/${name}`);
      [pod] = await podsOf(namespace, `job-name=${name}`);
      const ended = (job.status?.conditions ?? []).some((c: any) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True');
      return ended && ['Succeeded', 'Failed'].includes(pod?.status?.phase) ? undefined : `a finished job (pod ${pod?.status?.phase})`;
    }, 250);
    return { job: (await api.get(`/apis/batch/v1/namespaces/${namespace}/jobs/${name}`)).body, pod };
  };

  test('ends Succeeded or Failed with its exit code, and the Job controller counts it (not restarted: restartPolicy Never)', async () => {
    const namespace = await createTestNamespace('runner-job');
    await createJob(namespace, 'ok', ['version']);
    await createJob(namespace, 'bad', ['no-such-verb']);
    const [ok, bad] = await Promise.all([finished(namespace, 'ok'), finished(namespace, 'bad')]);
    expect(ok.pod.status.phase).toBe('Succeeded');
    expect(ok.pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(ok.job.status.succeeded).toBe(1);
    expect(readFileSync(podLogFile(namespace, ok.pod.metadata.name), 'utf8')).toMatch(/Client Version: v/);
    expect(bad.pod.status.phase).toBe('Failed');
    expect(bad.pod.status.containerStatuses[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } });
    expect(bad.job.status.failed).toBe(1);
    expect(bad.pod.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });
});
