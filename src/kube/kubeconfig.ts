// Kubeconfig loading as kubectl does it: --kubeconfig, else every file of KUBECONFIG
// merged (the first file to set a name or the current-context wins; client-node's own
// merge lets the last win), else ~/.kube/config, else in-cluster. client-node parses
// the files and later supplies the credentials (exec plugins, OIDC, token files...).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { KubeconfigError } from './errors.ts';
import type { GlobalOptions } from '../verbs/options.ts';

export type KubeconfigSelection = Pick<GlobalOptions, 'kubeconfig' | 'context' | 'cluster' | 'user'>;

export interface ResolvedKubeconfig {
  /** A KubeConfig holding only the selected context, cluster and user. */
  config: KubeConfig;
  contextName: string;
  cluster: Cluster;
  user: User;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeconfig(selection: KubeconfigSelection, env: Readonly<Record<string, string | undefined>>): ResolvedKubeconfig {
  const files = kubeconfigFiles(selection, env);
  if (files.length === 0 && env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    const config = new KubeConfig();
    config.loadFromCluster();
    return select(config, selection);
  }
  if (files.length === 0) {
    throw new KubeconfigError('no kubeconfig found: pass --kubeconfig or set KUBECONFIG');
  }
  return select(mergeFirstWins(files.map(readKubeconfig)), selection);
}

function kubeconfigFiles(selection: KubeconfigSelection, env: Readonly<Record<string, string | undefined>>): string[] {
  if (selection.kubeconfig !== undefined) return [selection.kubeconfig]; // must exist: readKubeconfig says so
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter((file) => file !== '');
    const present = listed.filter((file) => existsSync(file)); // kubectl skips missing entries
    if (listed.length > 0 && present.length === 0) {
      throw new KubeconfigError(`none of the KUBECONFIG files exists: ${listed.join(delimiter)}`);
    }
    return present;
  }
  const home = env.HOME ?? homedir();
  const standard = join(home, '.kube', 'config');
  return existsSync(standard) ? [standard] : [];
}

function readKubeconfig(file: string): KubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromFile(file); // also makes certificate paths relative to the file absolute
  } catch (error) {
    throw new KubeconfigError(`cannot read kubeconfig ${file}: ${readFailure(error)}`);
  }
  return config;
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

function mergeFirstWins(configs: KubeConfig[]): KubeConfig {
  const firstByName = <T extends { name: string }>(items: T[]): T[] => items.filter((item, index) => items.findIndex((other) => other.name === item.name) === index);
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(configs.flatMap((config) => config.getClusters())),
    users: firstByName(configs.flatMap((config) => config.getUsers())),
    contexts: firstByName(configs.flatMap((config) => config.getContexts())),
    currentContext: configs.map((config) => config.getCurrentContext()).find((name) => !!name),
  });
  return merged;
}

function select(config: KubeConfig, selection: KubeconfigSelection): ResolvedKubeconfig {
  const contextName = selection.context ?? config.getCurrentContext();
  let context: Context | undefined;
  if (contextName) {
    context = config.getContextObject(contextName) ?? undefined;
    if (!context) {
      const known = config.getContexts().map((item) => item.name);
      throw new KubeconfigError(`context "${contextName}" not found in the kubeconfig (contexts: ${known.join(', ') || 'none'})`);
    }
  } else if (!selection.cluster || !selection.user) {
    throw new KubeconfigError('the kubeconfig has no current-context: pass --context (or --cluster and --user)');
  }
  const clusterName = selection.cluster ?? context!.cluster;
  const userName = selection.user ?? context!.user;
  const cluster = config.getCluster(clusterName);
  if (!cluster) throw new KubeconfigError(`cluster "${clusterName}" not found in the kubeconfig`);
  const user = config.getUser(userName);
  if (!user) throw new KubeconfigError(`user "${userName}" not found in the kubeconfig`);
  const name = contextName || `${clusterName}/${userName}`;
  const selected = new KubeConfig();
  // client-node refuses plain-http servers (kubectl proxy, local tests) unless TLS checks
  // are off; for http there is no TLS to check, so say so.
  const usable = cluster.server.startsWith('http:') ? { ...cluster, skipTLSVerify: true } : cluster;
  selected.loadFromOptions({
    clusters: [usable],
    users: [user],
    contexts: [{ name, cluster: cluster.name, user: user.name }],
    currentContext: name,
  });
  return { config: selected, contextName: name, cluster, user };
}
