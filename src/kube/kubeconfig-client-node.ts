// The fallback to @kubernetes/client-node, imported lazily: only for auth-provider users
// (oidc, gcp, azure: what src/kube/credentials.ts does not implement), given the user our
// loader resolved, and to word why a
// kubeconfig that src/kube/kubeconfig.ts could not parse is invalid, as before.
import { KubeConfig, type User } from '@kubernetes/client-node';
import type { ResolvedKubeconfig } from './kubeconfig-types.ts';

/** Why client-node cannot read the file (undefined if it can), without quoting the file. */
export function describeInvalidKubeconfig(file: string): string | undefined {
  try {
    new KubeConfig().loadFromFile(file);
    return undefined;
  } catch (error) {
    return readFailure(error);
  }
}

/**
 * Why a kubeconfig could not be read, without quoting the file: js-yaml's messages show
 * the lines around a syntax error, which may hold a token or a key. (No `cause` is kept
 * on the error either, so that -v's stack traces cannot print it.)
 */
function readFailure(error: unknown): string {
  const failure = error as { code?: string; message?: string; reason?: string; mark?: { line: number; column: number } };
  if (failure.code) return failure.message ?? failure.code; // ENOENT, EACCES...
  if (failure.reason && failure.mark) return `not valid YAML: ${failure.reason} at line ${failure.mark.line + 1}, column ${failure.mark.column + 1}`;
  return `not a valid kubeconfig: ${(failure.message ?? String(error)).split('\n')[0]}`;
}

/**
 * The Authorization header of an auth-provider user (oidc, gcp, azure) by client-node,
 * from the user our loader selected (one kubeconfig loader: client-node never merges the
 * files again). TLS stays ours: client-node sees a placeholder cluster.
 */
export async function clientNodeHeaders(resolved: ResolvedKubeconfig): Promise<Record<string, string>> {
  const { user } = resolved;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'selected', server: resolved.cluster.server, skipTLSVerify: true }],
    users: [{ name: user.name || 'selected', authProvider: user.authProvider as User['authProvider'] }],
    contexts: [{ name: 'selected', cluster: 'selected', user: user.name || 'selected' }],
    currentContext: 'selected',
  });
  const options: { headers?: Record<string, string> } = {};
  await config.applyToHTTPSOptions(options as never);
  return { ...options.headers };
}
