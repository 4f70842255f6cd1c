// enable all converges its three components side by side, each writing a stage's objects
// together: the order that keeps DNS and metrics serving must survive that concurrency.
// Judged from the API server's own order (one watch on kube-system's Deployments delivers
// their changes in resourceVersion order) and its audit log, never from the plugin's output.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditOffset, onJsonLines, plugin, pluginRequests, sim } from '../lib/plugin.ts';

interface Change {
  name: string;
  replicas: number;
  available: boolean;
}

/** Every change of kube-system's Deployments, in the server's order, until stopped. */
async function watchDeployments(): Promise<{ stop(until: (changes: Change[]) => boolean): Promise<Change[]> }> {
  const info = sim.info();
  const url = new URL('/apis/apps/v1/namespaces/kube-system/deployments?watch=1', info.server);
  const changes: Change[] = [];
  let synced: () => void = () => {};
  const started = new Promise<void>((resolve) => (synced = resolve));
  const watch = request(url, { ca: readFileSync(info.caFile), headers: { Authorization: `Bearer ${info.adminToken}` } }, (response) => {
    onJsonLines(response, (event) => {
      const { metadata, spec, status = {} } = event.object;
      const replicas = spec.replicas ?? 1;
      const rolledOut = (status.observedGeneration ?? 0) >= metadata.generation && (status.updatedReplicas ?? 0) >= replicas;
      changes.push({ name: metadata.name, replicas, available: rolledOut && replicas > 0 && (status.availableReplicas ?? 0) >= replicas });
      synced();
    });
  });
  watch.end();
  await started;
  return {
    /** Stops once `until` holds (at most 60 s): a copy may become Available after a run that did not wait for it. */
    async stop(until) {
      for (let waited = 0; !until(changes) && waited < 60_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      watch.destroy();
      return changes;
    },
  };
}

/** Which component a write of enable belongs to, by the object it touches. */
const componentOf = (name: string): string =>
  name.startsWith('cilium-operator') ? 'cilium-operator' : name.startsWith('metrics-server') ? 'metrics-server' : 'coredns';

describe('enable all converges the components side by side', () => {
  beforeAll(async () => {
    await sim.reset();
  });

  it("scales no original down before its copy is Available, while the three components' writes interleave", async () => {
    const watch = await watchDeployments();
    const offset = auditOffset();
    const result = await plugin(['enable', 'all', '--yes']);
    const copies = ['coredns-ha', 'metrics-server-ha'];
    const changes = await watch.stop((seen) => copies.every((copy) => seen.some((change) => change.name === copy && change.available)));
    expect(result.code, result.stderr).toBe(0);

    for (const [original, copy] of [['coredns', 'coredns-ha'], ['metrics-server', 'metrics-server-ha']]) {
      const copyAvailable = changes.findIndex((change) => change.name === copy && change.available);
      const originalDown = changes.findIndex((change) => change.name === original && change.replicas === 0);
      expect(copyAvailable, `${copy} became Available`).toBeGreaterThanOrEqual(0);
      expect(originalDown, `${original} scaled to 0`).toBeGreaterThanOrEqual(0);
      expect(originalDown, `${original} scaled to 0 only after ${copy} was Available`).toBeGreaterThan(copyAvailable);
    }

    // In the order the server received them: each component's writes start before the others' end.
    const writes = (await pluginRequests(offset))
      .all.filter((event) => ['create', 'patch', 'delete'].includes(event.verb) && event.objectRef?.resource !== 'selfsubjectaccessreviews')
      .sort((a, b) => Date.parse(a.requestReceivedTimestamp!) - Date.parse(b.requestReceivedTimestamp!))
      .map((event) => componentOf(event.objectRef!.name!));
    const first = (component: string) => writes.indexOf(component);
    const last = (component: string) => writes.lastIndexOf(component);
    for (const component of ['cilium-operator', 'coredns', 'metrics-server']) expect(writes, component).toContain(component);
    // One after the other, metrics-server would start only once coredns is done (or the reverse).
    expect(first('metrics-server'), 'metrics-server starts before coredns has finished').toBeLessThan(last('coredns'));
    expect(first('coredns'), 'coredns starts before metrics-server has finished').toBeLessThan(last('metrics-server'));
    // cilium-operator's one patch does not wait for the others.
    expect(first('cilium-operator')).toBeLessThan(last('coredns'));
    expect(first('cilium-operator')).toBeLessThan(last('metrics-server'));
  });
});
