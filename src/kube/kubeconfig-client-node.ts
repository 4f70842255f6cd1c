// The fallback to @kubernetes/client-node, imported lazily: only for auth-provider users
// (oidc, gcp, azure: what src/kube/credentials.ts does not implement) and to word why a
// kubeconfig that src/kube/kubeconfig.ts could not parse is invalid, as before.
import { KubeConfig } from '@kubernetes/client-node';
import type { Credentials } from './credentials.ts';
import type { ResolvedKubeconfig } from './kubeconfig.ts';

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

/** Credentials of the selected user by client-node (auth providers), from the same files. */
export function clientNodeCredentials(resolved: ResolvedKubeconfig): () => Promise<Credentials> {
  const config = selectedConfig(resolved);
  return async () => {
    const options: { headers?: Record<string, string>; auth?: string; ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string } = {};
    await config.applyToHTTPSOptions(options as never);
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    return {
      tls: { ca: options.ca, cert: options.cert, key: options.key, rejectUnauthorized: options.rejectUnauthorized, servername: options.servername },
      headers,
    };
  };
}

function selectedConfig(resolved: ResolvedKubeconfig): KubeConfig {
  const merged = new KubeConfig();
  if (resolved.inCluster) {
    merged.loadFromCluster();
  } else {
    // First file to name an entry wins (kubectl); client-node's own merge lets the last win.
    const configs = resolved.files.map((file) => {
      const config = new KubeConfig();
      config.loadFromFile(file); // also makes certificate paths relative to the file absolute
      return config;
    });
    const first = <T extends { name: string }>(items: T[], name: string): T | undefined => items.find((item) => item.name === name);
    const cluster = first(configs.flatMap((config) => config.getClusters()), resolved.cluster.name);
    const user = first(configs.flatMap((config) => config.getUsers()), resolved.user.name);
    if (!cluster || !user) throw new Error('client-node read the kubeconfig differently');
    const usable = cluster.server.startsWith('http:') ? { ...cluster, skipTLSVerify: true } : cluster;
    merged.loadFromOptions({
      clusters: [usable],
      users: [user],
      contexts: [{ name: resolved.contextName, cluster: cluster.name, user: user.name }],
      currentContext: resolved.contextName,
    });
  }
  return merged;
}
