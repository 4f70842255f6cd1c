// The kubeconfig as the plugin resolves it: the entries selected by the context (and
// kubectl's connection flags over them), and what selects them. Types only, shared by the
// loader, the connection overrides, the credential sources and the client-node fallback.

/** What picks the kubeconfig entries: kubectl's --kubeconfig, --context, --cluster, --user and connection flags. */
export interface KubeconfigSelection {
  /** --kubeconfig; undefined: KUBECONFIG, then ~/.kube/config, then in-cluster. */
  kubeconfig: string | undefined;
  context: string | undefined;
  cluster: string | undefined;
  user: string | undefined;
  /** kubectl's connection flags (--server, --token, --as...), over the kubeconfig's values. */
  connection?: ConnectionFlags | undefined;
}

/** kubectl's connection flags, each over the kubeconfig field it names (kubeconfig-overrides.ts). */
export interface ConnectionFlags {
  server?: string | undefined;
  certificateAuthority?: string | undefined;
  insecureSkipTlsVerify?: boolean | undefined;
  tlsServerName?: string | undefined;
  token?: string | undefined;
  clientCertificate?: string | undefined;
  clientKey?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  as?: string | undefined;
  asGroups?: string[] | undefined;
  asUid?: string | undefined;
}

/** What `connect` needs: the selection, and the limit on each API request. */
export interface ConnectionOptions extends KubeconfigSelection {
  /** --request-timeout per API request, retries included; 0 = no limit. */
  requestTimeoutMs: number;
}

export interface ClusterEntry {
  name: string;
  server: string;
  /** Absolute path (relative paths are resolved against the kubeconfig's folder). */
  certificateAuthority?: string | undefined;
  /** Base64, as in the file. */
  certificateAuthorityData?: string | undefined;
  insecureSkipTlsVerify?: boolean | undefined;
  tlsServerName?: string | undefined;
  proxyUrl?: string | undefined;
  /** The `extensions` list by name (client.authentication.k8s.io/exec goes to exec plugins). */
  extensions?: Record<string, unknown> | undefined;
  /** Fields of the entry the plugin does not know (refused when the entry is used). */
  unknown?: string[] | undefined;
}

export interface ExecConfig {
  apiVersion: string;
  /** Absolute when the file gave a relative path with a separator, else looked up in PATH. */
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  installHint?: string | undefined;
  provideClusterInfo?: boolean | undefined;
  interactiveMode?: string | undefined;
}

export interface UserEntry {
  name: string;
  token?: string | undefined;
  /** Absolute path. */
  tokenFile?: string | undefined;
  clientCertificate?: string | undefined;
  clientCertificateData?: string | undefined;
  clientKey?: string | undefined;
  clientKeyData?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  exec?: ExecConfig | undefined;
  /** An auth-provider entry (oidc, gcp, azure...): handled by client-node. */
  authProvider?: unknown;
  impersonate?: Impersonation | undefined;
  unknown?: string[] | undefined;
}

/** Who requests are made as (Impersonate-* headers): kubeconfig `as*` fields or --as*. */
export interface Impersonation {
  user?: string | undefined;
  groups?: string[] | undefined;
  uid?: string | undefined;
  extra?: Record<string, string[]> | undefined;
}

export interface ResolvedKubeconfig {
  contextName: string;
  cluster: ClusterEntry;
  user: UserEntry;
  /** The files read (empty in-cluster or with no kubeconfig). */
  files: string[];
  inCluster: boolean;
}
