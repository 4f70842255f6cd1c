// KubeClient over raw JSON: paths from the static resource table, retries by request
// safety, Status bodies turned into KubeApiError, requests logged without credentials.
import { apiErrorFrom, connectionErrorFrom, type RequestDescription } from './errors.ts';
import { collectionPath, objectPath, resourceInfo, resourceName } from './resources.ts';
import { DEFAULT_RETRY, retryDelayMs, UNPROCESSED_RETRIES, shouldRetryError, shouldRetryStatus, sleep, type RetryPolicy, type Safety } from './retry.ts';
import { formatMs, TIMEOUT_CODE, type Transport, type TransportResponse } from './transport.ts';
import { watchCollection } from './watch.ts';
import { InterruptedError } from './exit-codes.ts';
import type { Logger } from './types.ts';
import type { AccessCheck, KubeClient, KubeObject, ListOptions, ObjectRef, PatchType, WatchEvent, WriteOptions } from './types.ts';

export interface ClientSettings {
  transport: Transport;
  /** Limit of one request, retries included; 0 = none. */
  requestTimeoutMs: number;
  log: Logger;
  /** Stops retries and waits between them (first Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Called once after a 401 (an exec or OIDC token may have expired). */
  refreshCredentials?: (() => Promise<void>) | undefined;
  retry?: RetryPolicy;
}

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  safety: Safety;
  request: Omit<RequestDescription, 'server'>;
  /** Statuses returned to the caller instead of thrown (404 for get and delete). */
  allow?: number[];
}

const FIELD_MANAGER = 'kubectl-kapsule-ha';
const PAGE_SIZE = '500';
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export class RestKubeClient implements KubeClient {
  private readonly settings: ClientSettings;
  private readonly retry: RetryPolicy;

  constructor(settings: ClientSettings) {
    this.settings = settings;
    this.retry = settings.retry ?? DEFAULT_RETRY;
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const response = await this.call({ method: 'GET', path: objectPath(ref), safety: 'idempotent', request: describe('get', ref), allow: [404] });
    return response.status === 404 ? undefined : (response.json as KubeObject);
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let next: string | undefined;
    do {
      const response = await this.call({
        method: 'GET',
        path: collectionPath(apiVersion, kind, options.namespace),
        query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: PAGE_SIZE, continue: next },
        safety: 'idempotent',
        request: { verb: 'list', resource: resourceName(apiVersion, kind), namespace: options.namespace },
      });
      const page = response.json as { items?: KubeObject[]; metadata?: { continue?: string } };
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      next = page.metadata?.continue || undefined;
    } while (next);
    return items;
  }

  async create(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const ref = refOf(object);
    const response = await this.call({
      method: 'POST',
      path: collectionPath(object.apiVersion, object.kind, object.metadata.namespace),
      query: writeQuery(options),
      body: object,
      safety: 'unprocessed', // a create sent twice could meet its own first copy
      request: describe('create', ref),
    });
    return response.json as KubeObject;
  }

  async patch(ref: ObjectRef, patch: unknown, type: PatchType, options: WriteOptions = {}): Promise<KubeObject> {
    const response = await this.call({
      method: 'PATCH',
      path: objectPath(ref),
      query: writeQuery(options),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      safety: type !== 'json' || guardsResourceVersion(patch) ? 'idempotent' : 'unprocessed',
      request: describe('patch', ref),
    });
    return response.json as KubeObject;
  }

  async delete(ref: ObjectRef, options: WriteOptions & { resourceVersion?: string; uid?: string } = {}): Promise<void> {
    const given = { resourceVersion: options.resourceVersion, uid: options.uid };
    const preconditions = given.resourceVersion || given.uid ? given : undefined;
    await this.call({
      method: 'DELETE',
      path: objectPath(ref),
      query: { dryRun: options.dryRun ? 'All' : undefined },
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions },
      // With a precondition a repeated delete finds 404 or a conflict, never a newer object.
      safety: preconditions ? 'idempotent' : 'unprocessed',
      request: describe('delete', ref),
      allow: [404],
    });
  }

  async evict(namespace: string, podName: string): Promise<void> {
    await this.call({
      method: 'POST',
      path: `${objectPath({ apiVersion: 'v1', kind: 'Pod', name: podName, namespace })}/eviction`,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: podName, namespace } },
      safety: 'eviction',
      request: { verb: 'create', resource: 'pods/eviction', name: podName, namespace },
    });
  }

  async canI(checks: AccessCheck[]): Promise<boolean[]> {
    return Promise.all(
      checks.map(async (check) => {
        const response = await this.call({
          method: 'POST',
          path: collectionPath('authorization.k8s.io/v1', 'SelfSubjectAccessReview', undefined),
          body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: check } },
          safety: 'idempotent', // a review has no side effect
          request: { verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io' },
        });
        return (response.json as { status?: { allowed?: boolean } }).status?.allowed === true;
      }),
    );
  }

  watch(
    apiVersion: string,
    kind: string,
    options: ListOptions & { resourceVersion?: string },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return watchCollection(this.settings.transport, { apiVersion, kind, options }, onEvent, signal);
  }

  async serverVersion(): Promise<{ gitVersion: string }> {
    const response = await this.call({ method: 'GET', path: '/version', safety: 'idempotent', request: { verb: 'get', resource: 'version' } });
    return response.json as { gitVersion: string };
  }

  /** One request with retries; non-2xx statuses (other than `allow`) become KubeApiError. */
  private async call(call: Call): Promise<TransportResponse & { json?: unknown }> {
    const { transport, requestTimeoutMs, log, signal } = this.settings;
    const request: RequestDescription = { server: transport.server, ...call.request };
    const deadline = requestTimeoutMs > 0 ? Date.now() + requestTimeoutMs : undefined;
    const path = `${call.path}${toQuery(call.query ?? {})}`;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = call.contentType ?? 'application/json';
    if (body !== undefined) log(8, () => `Request body: ${truncate(body)}`);
    let refreshed = false;
    let unprocessed = 0;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      let response: TransportResponse;
      try {
        response = await transport.request({ method: call.method, path, headers, body, deadline, deadlineLabel: `${formatMs(requestTimeoutMs)} (--request-timeout)`, signal });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (signal?.aborted) throw new InterruptedError('interrupted while waiting for the API server', { cause: error });
        log(6, () => `${call.method} ${transport.server}${path} failed in ${Date.now() - started} ms: ${code ?? (error as Error).message}`);
        const reused = (error as { reusedSocket?: boolean }).reusedSocket === true;
        if (code === 'ECONNRESET' && reused && unprocessed < UNPROCESSED_RETRIES) {
          // The server never saw it (a refused stream, one past a GOAWAY, a stale kept-alive
          // socket): sent again without spending an attempt, as Go's HTTP/2 transport does.
          unprocessed++;
          attempt--;
          await this.pause(retryDelayMs(unprocessed, undefined, this.retry), deadline, error);
          continue;
        }
        if (code === TIMEOUT_CODE || !shouldRetryError(code, call.safety, reused) || attempt >= this.retry.attempts) {
          throw connectionErrorFrom(error as NodeJS.ErrnoException, transport.server);
        }
        await this.pause(retryDelayMs(attempt, undefined, this.retry), deadline, error);
        continue;
      }
      log(6, () => `${call.method} ${transport.server}${path} ${response.status} in ${Date.now() - started} ms`);
      log(9, () => `Response body: ${truncate(response.body)}`);
      if (response.status === 401 && !refreshed && this.settings.refreshCredentials) {
        refreshed = true;
        await this.settings.refreshCredentials();
        attempt--;
        continue;
      }
      if (shouldRetryStatus(response.status, call.safety) && attempt < this.retry.attempts) {
        const delay = retryDelayMs(attempt, response.headers, this.retry);
        if (deadline === undefined || Date.now() + delay < deadline) {
          log(6, () => `retrying in ${delay} ms (attempt ${attempt + 1} of ${this.retry.attempts})`);
          await this.pause(delay, deadline);
          continue;
        }
      }
      if (response.status >= 200 && response.status < 300) {
        try {
          return { ...response, json: JSON.parse(response.body) };
        } catch {
          // A success whose body was cut short (the stream reset mid-answer) is a reset: retried when safe.
          const cut = Object.assign(new Error('the answer was cut short'), { code: 'ECONNRESET' });
          log(6, () => `${call.method} ${transport.server}${path}: the answer was cut short`);
          if (!shouldRetryError('ECONNRESET', call.safety) || attempt >= this.retry.attempts) throw connectionErrorFrom(cut, transport.server);
          await this.pause(retryDelayMs(attempt, undefined, this.retry), deadline, cut);
          continue;
        }
      }
      if (call.allow?.includes(response.status)) return response;
      throw apiErrorFrom(response.status, response.body, request);
    }
  }

  /** Waits before a retry, unless the wait would outlast the deadline: then the last error stands. */
  private async pause(ms: number, deadline: number | undefined, lastError?: unknown): Promise<void> {
    if (deadline !== undefined && Date.now() + ms >= deadline && lastError !== undefined) {
      throw connectionErrorFrom(lastError as NodeJS.ErrnoException, this.settings.transport.server);
    }
    try {
      await sleep(ms, this.settings.signal);
    } catch (error) {
      throw new InterruptedError('interrupted while waiting to retry a request', { cause: error });
    }
  }
}

function describe(verb: string, ref: ObjectRef): Omit<RequestDescription, 'server'> {
  return { verb, resource: resourceName(ref.apiVersion, ref.kind, ref.subresource), name: ref.name, namespace: ref.namespace };
}

function refOf(object: KubeObject): ObjectRef {
  resourceInfo(object.apiVersion, object.kind); // unknown kinds fail before any request
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace };
}

function writeQuery(options: WriteOptions): Record<string, string | undefined> {
  return { fieldManager: FIELD_MANAGER, dryRun: options.dryRun ? 'All' : undefined };
}

function guardsResourceVersion(patch: unknown): boolean {
  return Array.isArray(patch) && patch.some((op: { op?: string; path?: string }) => op?.op === 'test' && op.path === '/metadata/resourceVersion');
}

function toQuery(query: Record<string, string | undefined>): string {
  const entries = Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

function truncate(text: string): string {
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} bytes)` : text;
}
