// TLS material and auth headers of the selected kubeconfig user, as kubectl builds them:
// bearer token or token file, client certificate and key (data or files), basic auth,
// exec credential plugins (exec-plugin.ts; skipped when a static token or basic auth is
// there, as client-go's exec round tripper does), Impersonate-* headers. Auth providers
// (oidc, gcp, azure) go to client-node, loaded only then. With no CA in the kubeconfig,
// the machine's trust store (trust.ts).
import { readFileSync } from 'node:fs';
import { KubeconfigError } from './errors.ts';
import { runExec, type ExecResult, type ExecTerminal } from './exec-plugin.ts';
import { impersonationHeaders } from './kubeconfig-overrides.ts';
import { systemCertificates } from './trust.ts';
import type { ClusterEntry, ResolvedKubeconfig, UserEntry } from './kubeconfig-types.ts';
import type { Headers, TlsMaterial } from './transport.ts';

export interface Credentials {
  tls: TlsMaterial;
  headers: Headers;
}

export interface CredentialSource {
  /** The credentials now: cached, an exec plugin's run again once its token expired. */
  current(): Promise<Credentials>;
  /** After a 401: read the token file and run the exec plugin again. */
  refresh(): Promise<Credentials>;
}

/** client-go's period for re-reading a bearer token file (transport.NewCachedFileTokenSource). */
export const TOKEN_FILE_PERIOD_MS = 60_000;

const DEFAULT_TERMINAL: ExecTerminal = { stdinIsTTY: false, stderr: process.stderr, env: {} };

export async function credentialSource(resolved: ResolvedKubeconfig, terminal: ExecTerminal = DEFAULT_TERMINAL): Promise<CredentialSource> {
  const { cluster, user } = resolved;
  const tls = tlsOf(cluster, user, terminal.env);
  const impersonation = impersonationHeaders(user.impersonate);
  if (user.authProvider !== undefined) {
    const { clientNodeHeaders } = await import('./kubeconfig-client-node.ts');
    const load = async (): Promise<Credentials> => ({ tls, headers: { ...(await clientNodeHeaders(resolved)), ...impersonation } });
    let credentials = await load();
    return { current: async () => credentials, refresh: async () => (credentials = await load()) };
  }
  let exec: ExecResult | undefined;
  const build = async (force: boolean): Promise<Credentials> => {
    const headers: Headers = { ...impersonation };
    const token = user.tokenFile ? readCredentialFile(user.tokenFile, 'tokenFile', user).trim() : user.token;
    const basic = user.username !== undefined && user.password !== undefined;
    let material = tls;
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (basic) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    else if (user.exec) {
      if (force || !exec || (exec.expires !== undefined && exec.expires <= Date.now())) exec = await runExec(user.exec, cluster, terminal, force);
      if (exec.token) headers.Authorization = `Bearer ${exec.token}`;
      if (exec.cert && exec.key && !tls.cert) material = { ...tls, cert: exec.cert, key: exec.key };
    }
    return { tls: material, headers };
  };
  let credentials = await build(false);
  let built = Date.now();
  // A token file is read again once a minute, as client-go's cached file token source does:
  // a projected ServiceAccount token is rotated by the kubelet while the process runs.
  const stale = () => (exec?.expires !== undefined && exec.expires <= Date.now()) || (user.tokenFile !== undefined && Date.now() - built >= TOKEN_FILE_PERIOD_MS);
  const rebuild = async (force: boolean) => {
    credentials = await build(force);
    built = Date.now();
    return credentials;
  };
  return {
    current: async () => (stale() ? rebuild(false) : credentials),
    refresh: async () => rebuild(true),
  };
}

function tlsOf(cluster: ClusterEntry, user: UserEntry, env: Readonly<Record<string, string | undefined>>): TlsMaterial {
  const material = (data: string | undefined, file: string | undefined, field: string, owner: { name: string }): Buffer | undefined =>
    data ? Buffer.from(data, 'base64') : file ? Buffer.from(readCredentialFile(file, field, owner)) : undefined;
  const secure = cluster.server.startsWith('https:');
  const verify = secure && !cluster.insecureSkipTlsVerify;
  const ca = material(cluster.certificateAuthorityData, cluster.certificateAuthority, 'certificate-authority', cluster);
  return {
    ca: ca ?? (verify ? systemCertificates(env) : undefined),
    cert: material(user.clientCertificateData, user.clientCertificate, 'client-certificate', user),
    key: material(user.clientKeyData, user.clientKey, 'client-key', user),
    rejectUnauthorized: verify ? undefined : false,
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
