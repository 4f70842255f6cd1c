// The plain-JSON view of Kubernetes that the engine and verbs work with. Objects are
// never passed through client-node's typed models: those drop fields they do not know.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

// The parts of a Deployment the plugin reads and writes; every other field is kept as is.

export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  [field: string]: unknown;
}

export interface PodSpec {
  containers?: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
  affinity?: Record<string, unknown>;
  topologySpreadConstraints?: unknown[];
  [field: string]: unknown;
}

export interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels?: Record<string, string>; [field: string]: unknown };
  template: PodTemplateSpec;
  strategy?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Names one object; namespace is omitted for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** 'scale' reads/patches the autoscaling/v1 Scale of a Deployment or ReplicaSet. */
  subresource?: 'scale' | 'status';
}

export type PatchType = 'json' | 'merge' | 'strategic';

export interface WriteOptions {
  /** Server-side dry run (dryRun=All): validated and admitted, never persisted. */
  dryRun?: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

/**
 * The one Kubernetes access layer: raw JSON in and out, retries on 429/5xx/resets for
 * idempotent requests, the plugin's User-Agent, --request-timeout, and API errors
 * turned into KubeApiError with a clear message.
 */
export interface KubeClient {
  /** undefined when the object does not exist (404). */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Every page of a list (limit/continue), items with apiVersion and kind filled in. */
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]>;
  create(object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  patch(ref: ObjectRef, patch: unknown, type: PatchType, options?: WriteOptions): Promise<KubeObject>;
  /**
   * Deletes with preconditions when given (uid: the very object we read, not a look-alike
   * created since); a missing object is not an error.
   */
  delete(ref: ObjectRef, options?: WriteOptions & { resourceVersion?: string; uid?: string }): Promise<void>;
  /** POST pods/eviction; rejects with KubeApiError (429 when a PodDisruptionBudget forbids it). */
  evict(namespace: string, podName: string): Promise<void>;
  /** SelfSubjectAccessReview for each check, in order. */
  canI(checks: AccessCheck[]): Promise<boolean[]>;
  /** Streams watch events until the signal aborts. */
  watch(
    apiVersion: string,
    kind: string,
    options: ListOptions & { resourceVersion?: string },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
  /** The server's /version, for preflight and `version`. */
  serverVersion(): Promise<{ gitVersion: string }>;
}

/** Diagnostics shown with `-v N` (kubectl levels: 6 requests, 8 bodies), always on stderr. */
export type Logger = (level: number, message: () => string) => void;
