// The kubeconfig fields the plugin knows (client-go's clientcmd/api/v1 names), per entry.
// docs/kubeconfig.md says how each is honoured; a field not listed here is refused when
// its entry is used, so that a typo or a feature we lack never passes in silence.

export const CLUSTER_FIELDS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
  'proxy-url',
  // We never ask for compressed responses, so compression is always "disabled".
  'disable-compression',
  'extensions',
]);

export const USER_FIELDS = new Set([
  'token',
  'tokenFile',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'username',
  'password',
  'as',
  'as-uid',
  'as-groups',
  'as-user-extra',
  'exec',
  'auth-provider',
  'extensions',
]);

export const EXEC_FIELDS = new Set(['command', 'args', 'env', 'apiVersion', 'installHint', 'provideClusterInfo', 'interactiveMode']);

// `namespace` of a context is read by kubectl for namespaced commands; the components
// live in kube-system whatever the context says (-n changes it), so it has no effect here.
export const CONTEXT_FIELDS = new Set(['cluster', 'user', 'namespace', 'extensions']);

export function unknownFields(entry: Record<string, unknown>, known: Set<string>): string[] {
  return Object.keys(entry).filter((field) => !known.has(field));
}
