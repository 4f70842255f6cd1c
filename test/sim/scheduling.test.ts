import { afterAll, beforeAll, expect, test } from 'vitest';
import { apiClient, createTestNamespace, reset, type Api } from './sim.ts';
import { pollUntil } from './lib/settle.ts';

let api: Api;
let namespace: string;
beforeAll(async () => {
  await reset();
  api = apiClient();
  namespace = await createTestNamespace('spread');
});
afterAll(() => api.close());

test('a 3-replica Deployment with a zone topology spread (maxSkew 1, DoNotSchedule) gets one Ready pod in each zone', async () => {
  const labels = { app: 'spread' };
  await api.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'spread' },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } }],
            containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
          },
        },
      },
    },
  });
  let pods: any[] = [];
  await pollUntil('3 Ready pods', 30_000, async () => {
    pods = await api.list(`/api/v1/namespaces/${namespace}/pods`);
    const ready = pods.filter((pod) => pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    return ready.length === 3 ? undefined : `${ready.length} Ready`;
  });
  const nodes = await api.list('/api/v1/nodes');
  const zoneOf = (nodeName: string) => nodes.find((node) => node.metadata.name === nodeName)?.metadata.labels['topology.kubernetes.io/zone'];
  expect(pods.map((pod) => zoneOf(pod.spec.nodeName)).sort()).toEqual(['fr-par-1', 'fr-par-2', 'fr-par-3']);
  expect(pods.every((pod) => /^100\.(6[4-9]|7\d)\./.test(pod.status.podIP))).toBe(true);
});
