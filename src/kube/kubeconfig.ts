// Kubeconfig loading as kubectl does it: --kubeconfig, else every file of KUBECONFIG
// merged (the first file to set a name or the current-context wins), else
// ~/.kube/config, else in-cluster. Parsed here: JSON.parse for JSON files, a small strict
// reader for the common YAML shape (kubeconfig-yaml.ts), `yaml` for any other;
// client-node (~2.5 MB, slow to load) is only loaded for what this file does not handle:
// auth-provider users (oidc, gcp, azure), and the wording of a file's syntax error.
// kubectl's connection flags (--server, --token, --as...) override the result as
// client-go's clientcmd does (kubeconfig-overrides.ts); a field of the selected entries
// that the plugin does not know is refused rather than ignored.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeconfigError } from './errors.ts';
import { applyConnectionFlags } from './kubeconfig-overrides.ts';
import { parseSimpleYaml } from './kubeconfig-yaml.ts';
import { CLUSTER_FIELDS, CONTEXT_FIELDS, EXEC_FIELDS, USER_FIELDS, unknownFields } from './kubeconfig-fields.ts';
import type { ClusterEntry, ExecConfig, Impersonation, KubeconfigSelection, ResolvedKubeconfig, UserEntry } from './kubeconfig-types.ts';

interface ContextEntry {
  name: string;
  cluster: string;
  user: string;
  unknown?: string[] | undefined;
}

interface ParsedFile {
  clusters: ClusterEntry[];
  users: UserEntry[];
  contexts: ContextEntry[];
  currentContext?: string | undefined;
}

/** Where the kubelet mounts a pod's ServiceAccount token, its CA and namespace (client-go's rest.InClusterConfig). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * kubectl's last resort, as client-go's clientcmd: no kubeconfig file and no --server, both
 * KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT set, and a ServiceAccount token mounted.
 */
export const isInCluster = (env: Readonly<Record<string, string | undefined>>, serviceAccountDir = SERVICE_ACCOUNT_DIR): boolean =>
  !!env.KUBERNETES_SERVICE_HOST && !!env.KUBERNETES_SERVICE_PORT && existsSync(join(serviceAccountDir, 'token'));

/** The pod's own namespace in-cluster: POD_NAMESPACE, else the mounted ServiceAccount's (as kubectl). */
export function inClusterNamespace(env: Readonly<Record<string, string | undefined>>, serviceAccountDir = SERVICE_ACCOUNT_DIR): string | undefined {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    return readFileSync(join(serviceAccountDir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function loadKubeconfig(
  selection: KubeconfigSelection,
  env: Readonly<Record<string, string | undefined>>,
  serviceAccountDir = SERVICE_ACCOUNT_DIR,
): Promise<ResolvedKubeconfig> {
  const flags = selection.connection ?? {};
  const files = kubeconfigFiles(selection, env);
  const resolved = (config: ParsedFile, inCluster: boolean): ResolvedKubeconfig => ({ ...applyConnectionFlags(select(config, selection, flags.server !== undefined), flags), files, inCluster });
  if (files.length === 0 && !flags.server && isInCluster(env, serviceAccountDir)) {
    return resolved(inClusterConfig(env, serviceAccountDir), true);
  }
  if (files.length === 0 && !flags.server) {
    throw new KubeconfigError('no kubeconfig found: pass --kubeconfig, set KUBECONFIG or pass --server');
  }
  const parsed: ParsedFile[] = [];
  for (const file of files) parsed.push(await readKubeconfig(file));
  return resolved(mergeFirstWins(parsed), false);
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
  const home = env.HOME ?? homeOfUser();
  const standard = home === undefined ? undefined : join(home, '.kube', 'config');
  return standard !== undefined && existsSync(standard) ? [standard] : [];
}

/** The token is a file re-read as it rotates (credentials.ts), the CA the mounted ca.crt. */
/** The user's home from the password database; none for a uid it does not list (a container's 65532 with no /etc/passwd). */
function homeOfUser(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

function inClusterConfig(env: Readonly<Record<string, string | undefined>>, serviceAccountDir: string): ParsedFile {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT!;
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    clusters: [{ name: 'inCluster', server, certificateAuthority: join(serviceAccountDir, 'ca.crt') }],
    users: [{ name: 'inClusterUser', tokenFile: join(serviceAccountDir, 'token') }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser' }],
    currentContext: 'inClusterContext',
  };
}

/**
 * Parsed files by path, while unchanged (size and mtime): a fleet run connects to each of
 * its contexts through the same kubeconfig, which is read and parsed once, not once each.
 */
const parsedFiles = new Map<string, { stamp: string; parsed: ParsedFile }>();

async function readKubeconfig(file: string): Promise<ParsedFile> {
  let stamp: string | undefined;
  try {
    const stats = statSync(file);
    stamp = `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
  } catch {
    stamp = undefined; // readFileSync below says why
  }
  const known = parsedFiles.get(file);
  if (stamp !== undefined && known?.stamp === stamp) return known.parsed;
  const parsed = await parseKubeconfigFile(file);
  if (stamp !== undefined) parsedFiles.set(file, { stamp, parsed });
  return parsed;
}

async function parseKubeconfigFile(file: string): Promise<ParsedFile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const failure = error as { code?: string; message?: string };
    throw new KubeconfigError(`cannot read kubeconfig ${file}: ${failure.message ?? failure.code}`);
  }
  let document: unknown;
  let parsed: ParsedFile | undefined;
  try {
    // JSON, else the common shape by the small reader (kubeconfig-yaml.ts), else `yaml`.
    document = text.trimStart().startsWith('{') ? JSON.parse(text) : (parseSimpleYaml(text) ?? (await import('yaml')).parse(text, { prettyErrors: false, uniqueKeys: false }));
    parsed = toParsedFile(document ?? {}, dirname(resolve(file)));
  } catch {
    parsed = undefined;
  }
  if (parsed) return parsed;
  // Not YAML, or not shaped as a kubeconfig: client-node words the failure as before
  // (without quoting the file); should it accept the file after all, say so ourselves.
  const { describeInvalidKubeconfig } = await import('./kubeconfig-client-node.ts');
  throw new KubeconfigError(`cannot read kubeconfig ${file}: ${describeInvalidKubeconfig(file) ?? 'not a valid kubeconfig'}`);
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));

/** The file's entries with paths made absolute; throws when it is not shaped as a kubeconfig. */
function toParsedFile(document: unknown, folder: string): ParsedFile {
  if (!isObject(document)) throw new Error('not a mapping');
  const path = (value: unknown) => {
    const text = str(value);
    return text === undefined || text === '' ? undefined : isAbsolute(text) ? text : join(folder, text);
  };
  const named = <T>(key: string, inner: string, make: (name: string, body: Json) => T): T[] => {
    const list = document[key];
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) throw new Error(`${key} is not a list`);
    return list.map((item) => {
      if (!isObject(item) || typeof item.name !== 'string' || item.name === '') throw new Error(`${key}: an entry without a name`);
      const body = item[inner] ?? {};
      if (!isObject(body)) throw new Error(`${key}: ${inner} is not a mapping`);
      return make(item.name, body);
    });
  };
  const clusters = named('clusters', 'cluster', (name, c): ClusterEntry => ({
    name,
    server: str(c.server) ?? '',
    certificateAuthority: path(c['certificate-authority']),
    certificateAuthorityData: str(c['certificate-authority-data']),
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true || c['insecure-skip-tls-verify'] === 'true',
    tlsServerName: str(c['tls-server-name']),
    proxyUrl: str(c['proxy-url']),
    extensions: extensionsOf(c.extensions),
    unknown: unknownFields(c, CLUSTER_FIELDS),
  }));
  const users = named('users', 'user', (name, u): UserEntry => ({
    name,
    token: str(u.token),
    tokenFile: path(u.tokenFile),
    clientCertificate: path(u['client-certificate']),
    clientCertificateData: str(u['client-certificate-data']),
    clientKey: path(u['client-key']),
    clientKeyData: str(u['client-key-data']),
    username: str(u.username),
    password: str(u.password),
    exec: u.exec === undefined || u.exec === null ? undefined : execConfig(u.exec, folder),
    authProvider: u['auth-provider'] ?? undefined,
    impersonate: impersonationOf(u),
    unknown: [...unknownFields(u, USER_FIELDS), ...(isObject(u.exec) ? unknownFields(u.exec, EXEC_FIELDS).map((field) => `exec.${field}`) : [])],
  }));
  const contexts = named('contexts', 'context', (name, c) => ({ name, cluster: str(c.cluster) ?? '', user: str(c.user) ?? '', unknown: unknownFields(c, CONTEXT_FIELDS) }));
  const current = str(document['current-context']);
  return { clusters, users, contexts, currentContext: current || undefined };
}

function extensionsOf(list: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  return Object.fromEntries(list.filter(isObject).map((entry) => [String(entry.name), entry.extension]));
}

function impersonationOf(u: Json): Impersonation | undefined {
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)]);
  const extra = isObject(u['as-user-extra']) ? Object.fromEntries(Object.entries(u['as-user-extra']).map(([key, value]) => [key, strings(value)])) : {};
  const impersonation: Impersonation = { user: str(u.as) || undefined, groups: strings(u['as-groups']), uid: str(u['as-uid']) || undefined, extra };
  const empty = !impersonation.user && impersonation.groups!.length === 0 && !impersonation.uid && Object.keys(extra).length === 0;
  return empty ? undefined : impersonation;
}

function execConfig(exec: unknown, folder: string): ExecConfig {
  if (!isObject(exec) || typeof exec.command !== 'string' || exec.command === '') throw new Error('exec without a command');
  const command = exec.command;
  // kubectl: a command with a path separator is relative to the kubeconfig's folder.
  const resolved = !isAbsolute(command) && /[\\/]/.test(command) ? join(folder, command) : command;
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  return {
    apiVersion: str(exec.apiVersion) ?? 'client.authentication.k8s.io/v1beta1',
    command: resolved,
    args: list(exec.args).map((arg) => String(arg)),
    env: list(exec.env)
      .filter(isObject)
      .map((entry) => ({ name: String(entry.name), value: str(entry.value) ?? '' })),
    installHint: str(exec.installHint),
    provideClusterInfo: exec.provideClusterInfo === true,
    interactiveMode: str(exec.interactiveMode),
  };
}

function mergeFirstWins(files: ParsedFile[]): ParsedFile {
  const firstByName = <T extends { name: string }>(items: T[]): T[] => {
    const seen = new Set<string>();
    return items.filter((item) => !seen.has(item.name) && seen.add(item.name));
  };
  return {
    clusters: firstByName(files.flatMap((file) => file.clusters)),
    users: firstByName(files.flatMap((file) => file.users)),
    contexts: firstByName(files.flatMap((file) => file.contexts)),
    currentContext: files.map((file) => file.currentContext).find((name) => !!name),
  };
}

/**
 * The context, cluster and user to use. With --server (`serverGiven`), as with kubectl, no
 * context is needed: what the kubeconfig lacks is empty, the flags fill it in.
 */
function select(config: ParsedFile, selection: KubeconfigSelection, serverGiven: boolean): { contextName: string; cluster: ClusterEntry; user: UserEntry } {
  const contextName = selection.context ?? config.currentContext;
  let context: ContextEntry | undefined;
  if (contextName) {
    context = config.contexts.find((item) => item.name === contextName);
    if (!context) {
      const known = config.contexts.map((item) => item.name);
      throw new KubeconfigError(`context "${contextName}" not found in the kubeconfig (contexts: ${known.join(', ') || 'none'})`);
    }
    refuseUnknown(context.unknown, `context "${context.name}"`);
  } else if ((!selection.cluster || !selection.user) && !serverGiven) {
    throw new KubeconfigError('the kubeconfig has no current-context: pass --context (or --cluster and --user, or --server)');
  }
  const clusterName = selection.cluster ?? context?.cluster ?? '';
  const userName = selection.user ?? context?.user ?? '';
  const cluster = config.clusters.find((item) => item.name === clusterName) ?? (serverGiven && !selection.cluster ? { name: clusterName, server: '' } : undefined);
  if (!cluster) throw new KubeconfigError(`cluster "${clusterName}" not found in the kubeconfig`);
  if (!cluster.server && !serverGiven) throw new KubeconfigError(`cluster "${clusterName}" has no server in the kubeconfig`);
  const user = config.users.find((item) => item.name === userName) ?? (userName === '' ? { name: '' } : undefined);
  if (!user) throw new KubeconfigError(`user "${userName}" not found in the kubeconfig`);
  refuseUnknown(cluster.unknown, `cluster "${cluster.name}"`);
  refuseUnknown(user.unknown, `user "${user.name}"`);
  return { contextName: contextName || (clusterName || userName ? `${clusterName}/${userName}` : '(command line)'), cluster, user };
}

function refuseUnknown(fields: string[] | undefined, entry: string): void {
  if (fields && fields.length > 0) {
    throw new KubeconfigError(`${entry} of the kubeconfig has ${fields.map((field) => `"${field}"`).join(', ')}, which kapsule-ha does not know: remove it or fix its name (docs/kubeconfig.md lists the fields honoured)`);
  }
}

/** Every context of the kubeconfig (files merged as above), with its cluster's server, for fleet runs. */
export async function listContexts(
  selection: Pick<KubeconfigSelection, 'kubeconfig'>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Array<{ name: string; server: string }>> {
  const files = kubeconfigFiles({ kubeconfig: selection.kubeconfig, context: undefined, cluster: undefined, user: undefined }, env);
  if (files.length === 0) throw new KubeconfigError('no kubeconfig found: pass --kubeconfig or set KUBECONFIG');
  const parsed: ParsedFile[] = [];
  for (const file of files) parsed.push(await readKubeconfig(file));
  const merged = mergeFirstWins(parsed);
  return merged.contexts.map((context) => ({ name: context.name, server: merged.clusters.find((cluster) => cluster.name === context.cluster)?.server ?? '' }));
}
