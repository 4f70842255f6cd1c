// KubeClient over raw JSON: paths from the static resource table, retries as retry.ts
// decides from the request's safety, Status bodies turned into KubeApiError, requests logged without credentials.
import { apiErrorFrom, connectionErrorFrom, type RequestDescription } from './errors.ts';
import { collectionPath, objectPath, resourceInfo, resourceName } from './resources.ts';
import { DEFAULT_RETRY, FIRST_ATTEMPT, nextStep, sleep, type Outcome, type RetryPolicy, type Safety } from './retry.ts';
import type { Transport, TransportRequest, TransportResponse } from './transport.ts';
import { failureOf, formatMs, type TransportError } from './transport-errors.ts';
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

/** A complete answer, its body parsed when it is a success. */
type Answer = TransportResponse & { json?: unknown };

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

  /** One request, sent again as retry.ts decides; non-2xx statuses (other than `allow`) become KubeApiError. */
  private async call(call: Call): Promise<Answer> {
    const { transport, requestTimeoutMs, log, signal } = this.settings;
    const request: RequestDescription = { server: transport.server, ...call.request };
    const deadline = requestTimeoutMs > 0 ? Date.now() + requestTimeoutMs : undefined;
    const path = `${call.path}${toQuery(call.query ?? {})}`;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = call.contentType ?? 'application/json';
    if (body !== undefined) log(8, () => `Request body: ${truncate(body)}`);
    const what = `${call.method} ${transport.server}${path}`;
    for (let state = FIRST_ATTEMPT; ; ) {
      const attempt = await this.attempt({ method: call.method, path, headers, body, deadline, deadlineLabel: `${formatMs(requestTimeoutMs)} (--request-timeout)`, signal }, what);
      const step = nextStep(attempt.outcome, state, {
        safety: call.safety,
        policy: this.retry,
        msLeft: deadline === undefined ? undefined : deadline - Date.now(),
        canRefresh: this.settings.refreshCredentials !== undefined,
        random: Math.random(),
        now: Date.now(),
      });
      if (step.action === 'accept' || step.action === 'give-up') {
        if (step.action === 'give-up') log(6, () => `${what}: not sent again (${step.reason})`);
        if (attempt.error) throw connectionErrorFrom(attempt.error, transport.server);
        return answer(attempt.response!, call, request);
      }
      state = step.state;
      if (step.action === 'refresh') {
        await this.settings.refreshCredentials!();
        continue;
      }
      log(6, () => `${step.action === 'resend' ? 'sending again (never processed)' : 'retrying'} in ${step.delayMs} ms (attempt ${state.attempt} of ${this.retry.attempts})`);
      await this.pause(step.delayMs);
    }
  }

  /** One send: its outcome for the retry policy, with the response or the error behind it. */
  private async attempt(sent: TransportRequest, what: string): Promise<{ outcome: Outcome; response?: Answer; error?: TransportError }> {
    const { transport, log, signal } = this.settings;
    const started = Date.now();
    let response: TransportResponse;
    try {
      response = await transport.request(sent);
    } catch (caught) {
      if (signal?.aborted) throw new InterruptedError('interrupted while waiting for the API server', { cause: caught });
      const error = caught as TransportError;
      log(6, () => `${what} failed in ${Date.now() - started} ms: ${error.code ?? error.message}`);
      return { outcome: { kind: 'failure', failure: failureOf(error) }, error };
    }
    log(6, () => `${what} ${response.status} in ${Date.now() - started} ms`);
    log(9, () => `Response body: ${truncate(response.body)}`);
    if (response.status < 200 || response.status >= 300) return { outcome: { kind: 'answer', status: response.status, headers: response.headers }, response };
    try {
      return { outcome: { kind: 'answer', status: response.status, headers: response.headers }, response: { ...response, json: JSON.parse(response.body) } };
    } catch {
      // A success whose body was cut short (the stream reset mid-answer): a reset.
      log(6, () => `${what}: the answer was cut short`);
      return { outcome: { kind: 'cut' }, error: Object.assign(new Error('the answer was cut short'), { code: 'ECONNRESET' }) };
    }
  }

  /** Waits before sending again; Ctrl-C ends the wait. */
  private async pause(ms: number): Promise<void> {
    try {
      await sleep(ms, this.settings.signal);
    } catch (error) {
      throw new InterruptedError('interrupted while waiting to retry a request', { cause: error });
    }
  }
}

/** A complete answer as the caller gets it: the parsed success, an allowed status, or a KubeApiError. */
function answer(response: Answer, call: Call, request: RequestDescription): Answer {
  if (response.status >= 200 && response.status < 300) return response;
  if (call.allow?.includes(response.status)) return response;
  throw apiErrorFrom(response.status, response.body, request);
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
