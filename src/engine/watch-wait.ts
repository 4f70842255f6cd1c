// A wait by watch: the Deployment, its pods and the Service's EndpointSlices are watched
// (each watch starts with the current objects), and the condition is checked on every
// event. One round trip when it already holds; after that, the server tells us.
import { KubeApiError, KubeConnectionError } from '../kube/errors.ts';
import type { KubeClient, KubeObject, ListOptions } from '../kube/types.ts';
import { WaitTimeoutError } from './errors.ts';
import type { WaitStep } from './types.ts';
import { servingCheck } from './wait.ts';

export interface WatchWaitOptions {
  /** Epoch milliseconds after which the wait gives up (exit 124). */
  deadline: number;
  /** Aborting ends the wait at once; it then rejects with `signal.reason`. */
  signal: AbortSignal;
  /** What is still missing, each time it changes. */
  onDetail: (detail: string) => void;
}

/** setTimeout's limit (about 24.8 days): a longer --timeout is as good as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A dropped connection, an expired watch (410), throttling or a server error: watch again. Anything else (e.g. 403) is final. */
const isPassing = (error: unknown): boolean => {
  if (error instanceof KubeConnectionError) return true;
  if (!(error instanceof KubeApiError)) return false;
  return error.status === 410 || error.status === 429 || error.status >= 500;
};

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Keeps `store` equal to the objects a watch selects, restarting the watch when the server
 * ends it or the connection drops. Resolves when `signal` aborts; rejects on a final refusal.
 */
async function mirror(
  kube: KubeClient,
  [apiVersion, kind, options]: [string, string, ListOptions],
  store: Map<string, KubeObject>,
  changed: () => void,
  signal: AbortSignal,
): Promise<void> {
  for (let backoff = 100; !signal.aborted; backoff = Math.min(backoff * 2, 2000)) {
    try {
      await kube.watch(apiVersion, kind, options, (event) => {
        if (event.type === 'ADDED' || event.type === 'MODIFIED') store.set(event.object.metadata.name, event.object);
        else if (event.type === 'DELETED') store.delete(event.object.metadata.name);
        else return; // BOOKMARK; ERROR (e.g. 410 Expired) is followed by the end of the stream
        changed();
      }, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (!isPassing(error)) throw error;
    }
    if (signal.aborted) return;
    // The next watch starts with every current object again. An empty store never makes a wait pass.
    store.clear();
    await pause(backoff, signal);
  }
}

/** Waits until the step's Deployment serves; rejects on timeout, a final API error, or abort. */
export function waitServing(kube: KubeClient, step: WaitStep, options: WatchWaitOptions): Promise<void> {
  const { waitFor } = step;
  const namespace = waitFor.deployment.namespace;
  const deployments = new Map<string, KubeObject>();
  const pods = new Map<string, KubeObject>();
  const slices = new Map<string, KubeObject>();
  const watches = new AbortController();
  let detail = '';
  let podsWatched = false;

  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: unknown) => {
      if (watches.signal.aborted) return;
      watches.abort();
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish(options.signal.reason);
    const follow = (what: [string, string, ListOptions], store: Map<string, KubeObject>) =>
      void mirror(kube, what, store, evaluate, watches.signal).catch(finish);
    const watchPods = (selector: string) => {
      if (podsWatched || !waitFor.service) return;
      podsWatched = true;
      follow(['v1', 'Pod', { namespace, labelSelector: selector }], pods);
      follow(['discovery.k8s.io/v1', 'EndpointSlice', { namespace, labelSelector: `kubernetes.io/service-name=${waitFor.service.name}` }], slices);
    };
    function evaluate() {
      if (watches.signal.aborted) return;
      const deployment = deployments.get(waitFor.deployment.name);
      // Selector unknown before the write (should not happen): learn it from the Deployment.
      const labels = (deployment?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
      if (labels && !podsWatched) watchPods(Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(','));
      const check = servingCheck(waitFor, deployment, [...pods.values()], [...slices.values()]);
      if (check.done) return finish();
      if (check.detail !== detail) options.onDetail(check.detail);
      detail = check.detail;
    }

    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(options.deadline)) {
      const timeout = () =>
        finish(
          new WaitTimeoutError(
            `timed out waiting for ${waitFor.description} (${detail || 'no answer yet'}); stopped before the next step, ` +
              `so the original still serves. Re-run to continue.`,
          ),
        );
      timer = setTimeout(timeout, Math.min(MAX_TIMER_MS, Math.max(0, options.deadline - Date.now())));
    }
    follow(['apps/v1', 'Deployment', { namespace, fieldSelector: `metadata.name=${waitFor.deployment.name}` }], deployments);
    if (step.selector) watchPods(step.selector);
  });
}
