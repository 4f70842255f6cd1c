// An independent observer of a Service's ready endpoints while the plugin works: a watch
// on its EndpointSlices (admin token, not the plugin's code) that must prove it was alive.
// A dead watcher would read as "never saw 0 endpoints", so: an error of the watch fails
// the test; a watch the server ends is resumed from the last resourceVersion; every second
// a fresh list is compared with what the watch has seen, and the watch must catch up with
// it; stop() first waits until the namespace's Deployments and the endpoints settle.
import { request, type RequestOptions } from 'node:https';
import { onJsonLines } from '../sim/lib/json-lines.ts';
import { readFileSync } from 'node:fs';
import * as sim from '../sim/sim.ts';

export interface EndpointWatch {
  /**
   * Waits until the last change has settled, stops, and gives the fewest ready endpoints
   * seen at any moment, how many watch events arrived and how many re-list comparisons
   * the watch passed. Throws if the watch failed or fell behind at any time.
   */
  stop(): Promise<{ minReady: number; events: number; checks: number }>;
}

interface Slice {
  resourceVersion: string;
  ready: number;
  terminating: number;
}

const CHECK_EVERY_MS = 1000;
/** How long the watch may take to show what a list already shows. */
const CATCH_UP_MS = 10_000;
/** No watch event for this long (and every Deployment caught up) means settled. */
const QUIET_MS = 1500;
const SETTLE_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** resourceVersions are etcd revisions in the simulator: comparable as numbers. */
const rv = (value: string) => Number(value);

const sliceOf = (object: any): Slice => {
  const endpoints: any[] = object.endpoints ?? [];
  return {
    resourceVersion: object.metadata.resourceVersion,
    ready: endpoints.filter((endpoint) => endpoint.conditions?.ready === true).length,
    terminating: endpoints.filter((endpoint) => endpoint.conditions?.terminating === true).length,
  };
};

const readyIn = (slices: Map<string, Slice>) => [...slices.values()].reduce((sum, slice) => sum + slice.ready, 0);

export async function watchEndpoints(service = 'kube-dns', namespace = 'kube-system'): Promise<EndpointWatch> {
  const info = sim.info();
  const server = new URL(info.server);
  const base: RequestOptions = { host: server.hostname, port: server.port, ca: readFileSync(info.caFile), headers: { Authorization: `Bearer ${info.adminToken}` } };
  const selector = encodeURIComponent(`kubernetes.io/service-name=${service}`);
  const slicesPath = `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${selector}`;
  const what = `the ${namespace}/${service} endpoint watch`;

  const getJsonAsAdmin = (path: string) =>
    new Promise<any>((resolve, reject) => {
      const req = request({ ...base, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`GET ${path}: ${res.statusCode} ${body}`))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const list = async () => {
    const body = await getJsonAsAdmin(slicesPath);
    return { resourceVersion: body.metadata.resourceVersion as string, slices: new Map<string, Slice>(body.items.map((item: any) => [item.metadata.name, sliceOf(item)])) };
  };

  const seen = new Map<string, Slice>();
  let minReady = Number.POSITIVE_INFINITY;
  let events = 0;
  let checks = 0;
  let lastEventAt = Date.now();
  let failure: Error | undefined;
  let stopping = false;
  let current: ReturnType<typeof request> | undefined;
  const fail = (message: string) => (failure ??= new Error(`${what} ${message}`));

  const initial = await list();
  for (const [name, slice] of initial.slices) seen.set(name, slice);
  minReady = readyIn(seen);
  let resumeFrom = initial.resourceVersion;

  const onEvent = (event: any) => {
    if (event.type === 'ERROR') return fail(`got an error event: ${event.object?.message ?? JSON.stringify(event.object)}`);
    resumeFrom = event.object.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    if (event.type === 'DELETED') seen.delete(event.object.metadata.name);
    else seen.set(event.object.metadata.name, sliceOf(event.object));
    events++;
    lastEventAt = Date.now();
    minReady = Math.min(minReady, readyIn(seen));
  };

  const startWatch = () => {
    const path = `${slicesPath}&watch=1&allowWatchBookmarks=true&resourceVersion=${resumeFrom}`;
    const req = request({ ...base, path }, (res) => {
      if (res.statusCode !== 200) return fail(`was refused: ${res.statusCode}`);
      onJsonLines(res, onEvent);
      res.on('error', (error) => {
        if (!stopping) fail(`broke off: ${error.message}`);
      });
      // The server ends watches after a while: resume where this one stopped.
      res.on('end', () => {
        if (!stopping && !failure) startWatch();
      });
    });
    req.on('error', (error) => {
      if (!stopping) fail(`failed: ${error.message}`);
    });
    req.end();
    current = req;
  };
  startWatch();

  /** Lists, and waits until the watch has shown every slice as new as the list has it. */
  const compareWithList = async (): Promise<Map<string, Slice>> => {
    const listed = await list();
    minReady = Math.min(minReady, readyIn(listed.slices));
    const caughtUp = () =>
      [...listed.slices].every(([name, slice]) => rv(seen.get(name)?.resourceVersion ?? '0') >= rv(slice.resourceVersion)) &&
      // A slice the list does not have must have been created after it.
      [...seen].every(([name, slice]) => listed.slices.has(name) || rv(slice.resourceVersion) > rv(listed.resourceVersion));
    const deadline = Date.now() + CATCH_UP_MS;
    while (!caughtUp() && !failure) {
      if (Date.now() > deadline) fail(`fell behind: a list shows ${JSON.stringify([...listed.slices])}, the watch ${JSON.stringify([...seen])}`);
      else await sleep(50);
    }
    checks++;
    return listed.slices;
  };

  let checking = true;
  const checker = (async () => {
    while (checking && !failure) {
      await compareWithList().catch((error: Error) => fail(`could not compare with a list: ${error.message}`));
      await sleep(CHECK_EVERY_MS);
    }
  })();

  /** Every Deployment of the namespace has acted on its last change (pods created or gone). */
  const deploymentsSettled = async () => {
    const body = await getJsonAsAdmin(`/apis/apps/v1/namespaces/${namespace}/deployments`);
    return (body.items as any[]).every((d) => (d.status?.observedGeneration ?? 0) >= d.metadata.generation && (d.status?.replicas ?? 0) === d.spec.replicas);
  };

  return {
    async stop() {
      // The window ends once the last write has settled: the Deployments caught up, the
      // watch shows what a fresh list shows, no endpoint terminating, nothing new for a while.
      const deadline = Date.now() + SETTLE_MS;
      for (;;) {
        if (failure) break;
        const listed = await compareWithList();
        const terminating = [...listed.values()].some((slice) => slice.terminating > 0);
        if (!terminating && Date.now() - lastEventAt >= QUIET_MS && (await deploymentsSettled())) break;
        if (Date.now() > deadline) {
          fail(`saw no settled state within ${SETTLE_MS / 1000}s`);
          break;
        }
        await sleep(250);
      }
      checking = false;
      stopping = true;
      current?.destroy();
      await checker;
      if (failure) throw failure;
      return { minReady, events, checks };
    },
  };
}
