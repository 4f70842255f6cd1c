// coredns shaped as public evidence says Kapsule ships it: the Corefile imports
// `custom/*.override` inside its server block and `custom/*.server` after it, and the
// optional `coredns-custom` ConfigMap is mounted at /etc/coredns/custom, a volume inside
// the Corefile's own volume. The original and the copy run it with no Corefile changed,
// and a custom name and the cluster's own are answered through the kube-dns ClusterIP
// (kube-proxy, conntrack) before, during and after enable, and through disable.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyPods, sleep } from '../lib/robustness.ts';
import { expectEveryQueryAnswered, START_DELAY_MS, underDnsProbe } from '../lib/dns.ts';
import { kubeSystem, plugin, sim } from '../lib/plugin.ts';

const CUSTOM_HOST = { name: 'db.corp.internal', answer: '192.0.2.77' };
const CUSTOM_SERVER = { name: 'www.example.test', answer: '192.0.2.78' };
const CLUSTER_NAME = { name: 'kubernetes.default.svc.cluster.local', answer: '10.32.0.1' };
const NAMES = [CUSTOM_HOST, CUSTOM_SERVER, CLUSTER_NAME];
const DNS_PODS = 'k8s-app=kube-dns';

const customConfig = (hostAddress: string) => ({
  'custom.override': `hosts {\n    ${hostAddress} ${CUSTOM_HOST.name}\n    fallthrough\n}\n`,
  'example.server': `example.test:53 {\n    errors\n    hosts {\n        ${CUSTOM_SERVER.answer} ${CUSTOM_SERVER.name}\n    }\n}\n`,
});

async function kubectlOk(args: string[], input?: string): Promise<void> {
  const result = await sim.kubectl(args, { input });
  expect(result.code, `kubectl ${args.join(' ')}: ${result.stderr}`).toBe(0);
}

/** The Corefile and a custom file a pod's process reads, in its own mount namespace. */
function servedFiles(pod: any): { corefile: string; override: string } {
  const pid = sim.processIdOf(pod);
  return { corefile: readFileSync(`/proc/${pid}/root/etc/coredns/Corefile`, 'utf8'), override: readFileSync(`/proc/${pid}/root/etc/coredns/custom/custom.override`, 'utf8') };
}

/** Every Ready kube-dns pod (original or copy) serves its ConfigMap's Corefile byte for byte, and the custom files. */
async function expectCorefilesUntouched(expectedOverride: string): Promise<number> {
  const pods = await readyPods(DNS_PODS);
  for (const pod of pods as any[]) {
    const volume = pod.spec.volumes.find((v: any) => v.configMap && v.configMap.name !== 'coredns-custom');
    const { data } = await kubeSystem('configmap', volume.configMap.name);
    expect(servedFiles(pod).corefile, pod.metadata.name).toBe(data.Corefile);
    expect(servedFiles(pod).override, pod.metadata.name).toBe(expectedOverride);
  }
  return pods.length;
}

describe('coredns shaped as Kapsule ships it (coredns-custom mounted inside the Corefile volume)', () => {
  beforeAll(async () => {
    await sim.reset();
    await sim.setStartDelay(START_DELAY_MS);
    const { data } = await kubeSystem('configmap', 'coredns');
    const corefile = (data.Corefile as string).replace(/\n}\s*$/, '\n    import custom/*.override\n}\nimport custom/*.server\n');
    await kubectlOk(['-n', 'kube-system', 'create', 'configmap', 'coredns-custom', ...Object.entries(customConfig(CUSTOM_HOST.answer)).map(([k, v]) => `--from-literal=${k}=${v}`)]);
    await kubectlOk(['-n', 'kube-system', 'patch', 'configmap', 'coredns', '--type=merge', '-p', JSON.stringify({ data: { Corefile: corefile } })]);
    await kubectlOk([
      '-n', 'kube-system', 'patch', 'deployment', 'coredns', '--type=json', '-p',
      JSON.stringify([
        { op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'custom-config-volume', configMap: { name: 'coredns-custom', optional: true } } },
        { op: 'add', path: '/spec/template/spec/containers/0/volumeMounts/-', value: { name: 'custom-config-volume', mountPath: '/etc/coredns/custom', readOnly: true } },
      ]),
    ]);
    await kubectlOk(['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=120s']);
  });

  afterAll(() => sim.reset());

  it('the original runs it as written: the custom names and the cluster name answered through the ClusterIP', async () => {
    expect(await expectCorefilesUntouched(customConfig(CUSTOM_HOST.answer)['custom.override'])).toBe(1);
    const { dns } = await underDnsProbe(() => sleep(1500), { names: NAMES });
    expectEveryQueryAnswered(dns, 'the Kapsule-shaped original');
  });

  it('enable coredns: every custom and cluster query answered; the copies serve the same files, untouched', async () => {
    const { value: result, dns } = await underDnsProbe(() => plugin(['enable', 'coredns', '--yes']), { names: NAMES });
    expect(result.code, result.stderr).toBe(0);
    expectEveryQueryAnswered(dns, 'enable coredns, Kapsule-shaped', { originalScaledDown: true });
    expect(dns.endpointsQueried).toBeGreaterThanOrEqual(2);
    expect(await expectCorefilesUntouched(customConfig(CUSTOM_HOST.answer)['custom.override'])).toBeGreaterThanOrEqual(2);
  });

  it('an edit of coredns-custom reaches every serving pod (volume refresh, CoreDNS reload)', async () => {
    const edited = customConfig('192.0.2.79');
    await kubectlOk(['-n', 'kube-system', 'patch', 'configmap', 'coredns-custom', '--type=merge', '-p', JSON.stringify({ data: edited })]);
    const cluster = sim.clusterNetwork();
    const pods = await readyPods(DNS_PODS);
    expect(pods.length).toBeGreaterThanOrEqual(2);
    // reload checks every 30 s (±15 s).
    const pending = new Set(pods.map((pod) => pod.status.podIP as string));
    for (let i = 0; i < 100 && pending.size > 0; i++) {
      for (const ip of [...pending]) if (JSON.stringify(await sim.resolveIn(cluster, ip, CUSTOM_HOST.name)) === '["192.0.2.79"]') pending.delete(ip);
      if (pending.size > 0) await sleep(1000);
    }
    expect([...pending], 'pods still answering the old address').toEqual([]);
    await expectCorefilesUntouched(edited['custom.override']);
  });

  it('disable coredns: every query answered while the original comes back and the copies go', async () => {
    const names = [{ ...CUSTOM_HOST, answer: '192.0.2.79' }, CUSTOM_SERVER, CLUSTER_NAME];
    const { value: result, dns } = await underDnsProbe(() => plugin(['disable', 'coredns', '--yes']), { names });
    expect(result.code, result.stderr).toBe(0);
    expectEveryQueryAnswered(dns, 'disable coredns, Kapsule-shaped');
    await expectCorefilesUntouched(customConfig('192.0.2.79')['custom.override']);
  });
});
