// TLS material and auth headers of the selected kubeconfig user, as kubectl builds them:
// bearer token or token file, client certificate and key (data or files), basic auth,
// exec credential plugins (client.authentication.k8s.io/v1 and v1beta1). Auth providers
// (oidc, gcp, azure) go to client-node, loaded only then.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { KubeconfigError } from './errors.ts';
import type { ClusterEntry, ExecConfig, ResolvedKubeconfig, UserEntry } from './kubeconfig.ts';
import type { TlsMaterial } from './transport.ts';

export interface Credentials {
  tls: TlsMaterial;
  headers: Record<string, string>;
}

export interface CredentialSource {
  /** The credentials now: cached, an exec plugin's run again once its token expired. */
  current(): Promise<Credentials>;
  /** After a 401: read the token file and run the exec plugin again. */
  refresh(): Promise<Credentials>;
}

export async function credentialSource(resolved: ResolvedKubeconfig): Promise<CredentialSource> {
  const { cluster, user } = resolved;
  if (user.authProvider !== undefined) {
    const { clientNodeCredentials } = await import('./kubeconfig-client-node.ts');
    const load = clientNodeCredentials(resolved);
    let credentials = await load();
    return { current: async () => credentials, refresh: async () => (credentials = await load()) };
  }
  const tls = tlsOf(cluster, user);
  let exec: ExecResult | undefined;
  const build = async (force: boolean): Promise<Credentials> => {
    const headers: Record<string, string> = {};
    let material = tls;
    if (user.exec) {
      if (force || !exec || (exec.expires !== undefined && exec.expires <= Date.now())) exec = await runExec(user.exec, cluster, force);
      if (exec.token) headers.Authorization = `Bearer ${exec.token}`;
      if (exec.cert && exec.key) material = { ...tls, cert: exec.cert, key: exec.key };
    }
    if (!headers.Authorization) {
      const token = user.tokenFile ? readCredentialFile(user.tokenFile, 'tokenFile', user).trim() : user.token;
      if (token) headers.Authorization = `Bearer ${token}`;
      else if (user.username !== undefined && user.password !== undefined) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    }
    return { tls: material, headers };
  };
  let credentials = await build(false);
  return {
    current: async () => (exec?.expires !== undefined && exec.expires <= Date.now() ? (credentials = await build(false)) : credentials),
    refresh: async () => (credentials = await build(true)),
  };
}

function tlsOf(cluster: ClusterEntry, user: UserEntry): TlsMaterial {
  const material = (data: string | undefined, file: string | undefined, field: string, owner: { name: string }): Buffer | undefined =>
    data ? Buffer.from(data, 'base64') : file ? Buffer.from(readCredentialFile(file, field, owner)) : undefined;
  const plainHttp = cluster.server.startsWith('http:');
  return {
    ca: material(cluster.certificateAuthorityData, cluster.certificateAuthority, 'certificate-authority', cluster),
    cert: material(user.clientCertificateData, user.clientCertificate, 'client-certificate', user),
    key: material(user.clientKeyData, user.clientKey, 'client-key', user),
    rejectUnauthorized: plainHttp || cluster.insecureSkipTlsVerify ? false : undefined,
    servername: cluster.tlsServerName || undefined,
  };
}

function readCredentialFile(file: string, field: string, owner: { name: string }): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const failure = error as { code?: string; message?: string };
    throw new KubeconfigError(`cannot read the ${field} of "${owner.name}" in the kubeconfig: ${failure.message ?? failure.code}`);
  }
}

interface ExecResult {
  token?: string | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** Epoch ms; undefined: valid for the whole run. */
  expires?: number | undefined;
}

const EXEC_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);
/** Runs of the same plugin (same command, args and env) are shared within the process. */
const execCache = new Map<string, Promise<ExecResult>>();

function runExec(exec: ExecConfig, cluster: ClusterEntry, force: boolean): Promise<ExecResult> {
  const key = JSON.stringify([exec.command, exec.args, exec.env, cluster.server]);
  const cached = force ? undefined : execCache.get(key);
  const fresh = async (result: Promise<ExecResult>) => {
    const value = await result;
    return value.expires === undefined || value.expires > Date.now();
  };
  const run = async (): Promise<ExecResult> => {
    if (cached && (await fresh(cached).catch(() => false))) return cached;
    const started = spawnPlugin(exec, cluster);
    execCache.set(key, started);
    started.catch(() => execCache.delete(key));
    return started;
  };
  return run();
}

function spawnPlugin(exec: ExecConfig, cluster: ClusterEntry): Promise<ExecResult> {
  const name = `exec plugin "${exec.command}"`;
  if (!EXEC_VERSIONS.has(exec.apiVersion)) {
    return Promise.reject(new KubeconfigError(`${name}: unsupported apiVersion ${exec.apiVersion} (client.authentication.k8s.io/v1 or v1beta1)`));
  }
  if (exec.interactiveMode === 'Always') {
    return Promise.reject(new KubeconfigError(`${name} needs an interactive terminal (interactiveMode: Always), which this plugin does not provide`));
  }
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo) {
    spec.cluster = {
      server: cluster.server,
      'tls-server-name': cluster.tlsServerName,
      'insecure-skip-tls-verify': cluster.insecureSkipTlsVerify || undefined,
      'certificate-authority-data': cluster.certificateAuthorityData ?? (cluster.certificateAuthority ? readFileSync(cluster.certificateAuthority).toString('base64') : undefined),
      'proxy-url': cluster.proxyUrl,
    };
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const entry of exec.env) env[entry.name] = entry.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec });
  return new Promise((resolve, reject) => {
    const child = execFile(exec.command, exec.args, { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          const hint = exec.installHint ? `: ${exec.installHint.trim().split('\n')[0]}` : '';
          return reject(new KubeconfigError(`${name} of the kubeconfig not found${hint}`));
        }
        const why = stderr.trim().split('\n').at(-1) || (typeof code === 'number' ? `exit code ${code}` : error.message.split('\n')[0]);
        return reject(new KubeconfigError(`${name} failed: ${why}`));
      }
      try {
        resolve(parseExecCredential(stdout, exec.apiVersion));
      } catch (failure) {
        reject(new KubeconfigError(`${name} gave no usable credential: ${(failure as Error).message}`));
      }
    });
    child.stdin?.end();
  });
}

function parseExecCredential(stdout: string, apiVersion: string): ExecResult {
  const credential = JSON.parse(stdout) as { apiVersion?: string; kind?: string; status?: Record<string, string | undefined> };
  if (credential.kind !== 'ExecCredential') throw new Error('its output is not an ExecCredential');
  if (credential.apiVersion !== apiVersion) throw new Error(`it answered ${credential.apiVersion}, ${apiVersion} was asked`);
  const status = credential.status ?? {};
  const cert = status.clientCertificateData;
  const key = status.clientKeyData;
  if (!status.token && !(cert && key)) throw new Error('neither a token nor a client certificate and key in its status');
  const expires = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : undefined;
  return {
    token: status.token || undefined,
    cert: cert && key ? Buffer.from(cert) : undefined,
    key: cert && key ? Buffer.from(key) : undefined,
    expires: expires === undefined || Number.isNaN(expires) ? undefined : expires,
  };
}
