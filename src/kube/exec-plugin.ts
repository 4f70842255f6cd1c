// Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1) run as client-go
// runs them: stderr always reaches the user (device-code logins print their URL there);
// stdin too when interactiveMode allows it (IfAvailable, Always) and it is a terminal,
// with spec.interactive telling the plugin; Always without a terminal is refused; a time
// limit ends a plugin that never answers; provideClusterInfo passes the cluster with its
// client.authentication.k8s.io/exec extension as spec.cluster.config.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FailureError } from './exit-errors.ts';
import { KubeconfigError } from './errors.ts';
import type { ClusterEntry, ExecConfig } from './kubeconfig-types.ts';

export interface ExecResult {
  token?: string | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** Epoch ms; undefined: valid for the whole run. */
  expires?: number | undefined;
}

export interface ExecTerminal {
  /** Whether stdin is a terminal a person can answer on. */
  stdinIsTTY: boolean;
  /** Where the plugin's stderr goes when stdin is not handed over (the user's stderr). */
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
}

const EXEC_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);
const EXEC_EXTENSION = 'client.authentication.k8s.io/exec';
/** A plugin left alone gets a minute; one a person answers on a terminal, five. */
const DEFAULT_LIMIT_MS = { unattended: 60_000, interactive: 300_000 };

/** Runs of the same plugin (same command, args and env) are shared within the process. */
const execCache = new Map<string, Promise<ExecResult>>();

export function runExec(exec: ExecConfig, cluster: ClusterEntry, terminal: ExecTerminal, force: boolean): Promise<ExecResult> {
  const key = JSON.stringify([exec.command, exec.args, exec.env, cluster.server]);
  const cached = force ? undefined : execCache.get(key);
  const fresh = async (result: Promise<ExecResult>) => {
    const value = await result;
    return value.expires === undefined || value.expires > Date.now();
  };
  const run = async (): Promise<ExecResult> => {
    if (cached && (await fresh(cached).catch(() => false))) return cached;
    const started = spawnPlugin(exec, cluster, terminal);
    execCache.set(key, started);
    started.catch(() => execCache.delete(key));
    return started;
  };
  return run();
}

function interactiveMode(exec: ExecConfig, name: string): string {
  // client-go defaults it for v1beta1 only; v1 must say.
  const mode = exec.interactiveMode ?? (exec.apiVersion.endsWith('/v1') ? undefined : 'IfAvailable');
  if (mode === undefined) throw new KubeconfigError(`${name}: interactiveMode must be set (Never, IfAvailable or Always) for client.authentication.k8s.io/v1`);
  if (!['Never', 'IfAvailable', 'Always'].includes(mode)) throw new KubeconfigError(`${name}: invalid interactiveMode "${mode}": expected Never, IfAvailable or Always`);
  return mode;
}

function spawnPlugin(exec: ExecConfig, cluster: ClusterEntry, terminal: ExecTerminal): Promise<ExecResult> {
  const name = `exec plugin "${exec.command}"`;
  let interactive: boolean;
  let limitMs: number;
  try {
    if (!EXEC_VERSIONS.has(exec.apiVersion)) throw new KubeconfigError(`${name}: unsupported apiVersion ${exec.apiVersion} (client.authentication.k8s.io/v1 or v1beta1)`);
    const mode = interactiveMode(exec, name);
    if (mode === 'Always' && !terminal.stdinIsTTY) {
      throw new KubeconfigError(`${name} must ask on a terminal (interactiveMode: Always) and stdin is not one: run it where you can answer, or log in beforehand`);
    }
    interactive = mode !== 'Never' && terminal.stdinIsTTY;
    limitMs = execTimeLimit(terminal.env, interactive);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  const spec: Record<string, unknown> = { interactive };
  if (exec.provideClusterInfo) spec.cluster = clusterInfo(cluster);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const entry of exec.env) env[entry.name] = entry.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec });
  return new Promise((resolve, reject) => {
    // Interactive: the plugin owns the terminal (stdin and stderr), as under kubectl.
    const child = spawn(exec.command, exec.args, { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', interactive ? 'inherit' : 'pipe'], windowsHide: true });
    let stdout = '';
    let lastLine = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      terminal.stderr.write(chunk);
      lastLine = `${lastLine}${chunk.toString('utf8')}`.trim().split('\n').at(-1) ?? '';
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      if (interactive) process.stderr.write('\n'); // the terminal's cursor may sit after the plugin's question
      reject(new FailureError(`${name} gave no credential within ${limitMs / 1000}s${interactive ? '' : ' (is it waiting for an answer? it has no terminal to ask on)'}: log in with it first, or raise KAPSULE_HA_EXEC_TIMEOUT`));
    }, limitMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') {
        const hint = exec.installHint ? `: ${exec.installHint.trim().split('\n')[0]}` : '';
        return reject(new KubeconfigError(`${name} of the kubeconfig not found${hint}`));
      }
      reject(new KubeconfigError(`${name} failed: ${error.message.split('\n')[0]}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const why = lastLine || (code !== null ? `exit code ${code}` : `killed by ${signal}`);
        return reject(new KubeconfigError(`${name} failed: ${why}`));
      }
      try {
        resolve(parseExecCredential(stdout, exec.apiVersion));
      } catch (failure) {
        reject(new KubeconfigError(`${name} gave no usable credential: ${(failure as Error).message}`));
      }
    });
  });
}

function execTimeLimit(env: Readonly<Record<string, string | undefined>>, interactive: boolean): number {
  const value = env.KAPSULE_HA_EXEC_TIMEOUT;
  if (!value) return interactive ? DEFAULT_LIMIT_MS.interactive : DEFAULT_LIMIT_MS.unattended;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!match || Number(match[1]) <= 0) throw new KubeconfigError(`invalid KAPSULE_HA_EXEC_TIMEOUT "${value}": expected a duration such as 30s or 5m`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
}

function clusterInfo(cluster: ClusterEntry): Record<string, unknown> {
  return {
    server: cluster.server,
    'tls-server-name': cluster.tlsServerName,
    'insecure-skip-tls-verify': cluster.insecureSkipTlsVerify || undefined,
    'certificate-authority-data': cluster.certificateAuthorityData ?? (cluster.certificateAuthority ? readFileSync(cluster.certificateAuthority).toString('base64') : undefined),
    'proxy-url': cluster.proxyUrl,
    config: cluster.extensions?.[EXEC_EXTENSION],
  };
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
