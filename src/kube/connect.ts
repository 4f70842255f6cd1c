// The entry into the cluster layer, imported lazily by deps.kube(): kubeconfig (with
// kubectl's connection flags), credentials, proxy, transport and client, only for verbs
// that talk to a cluster.
import { loadKubeconfig } from './kubeconfig.ts';
import { credentialSource } from './credentials.ts';
import { RestKubeClient } from './client.ts';
import { Transport } from './transport.ts';
import { describeProxy, proxyFor } from './proxy.ts';
import { dialThroughProxy } from './proxy-dial.ts';
import { systemCertificates } from './trust.ts';
import { USER_AGENT } from '../version.ts';
import type { Logger } from './types.ts';
import type { ConnectionOptions } from './kubeconfig-types.ts';
import type { KubeClient } from './types.ts';

export interface ConnectEnvironment {
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  /** Whether a person can answer an exec credential plugin on stdin (default: no). */
  stdinIsTTY?: boolean;
}

export async function connect(options: ConnectionOptions, environment: ConnectEnvironment): Promise<KubeClient> {
  const resolved = await loadKubeconfig(options, environment.env);
  const { contextName, cluster, user } = resolved;
  environment.log(6, () => `kubeconfig: context "${contextName}", cluster "${cluster.name}" (${cluster.server}), user "${user.name}"${user.impersonate ? `, as "${user.impersonate.user}"` : ''}`);
  const proxy = proxyFor(new URL(cluster.server), cluster.proxyUrl, environment.env);
  if (proxy?.url.protocol === 'https:') proxy.ca = systemCertificates(environment.env);
  if (proxy) environment.log(6, () => `through the proxy ${describeProxy(proxy)}`);
  const source = await credentialSource(resolved, { stdinIsTTY: environment.stdinIsTTY === true, stderr: process.stderr, env: environment.env });
  const first = await source.current();
  const transport = new Transport(cluster.server, first.tls, async () => ({ ...(await source.current()).headers, 'User-Agent': USER_AGENT }), {
    log: environment.log,
    dial: proxy ? (host, port, signal) => dialThroughProxy(proxy, host, port, signal) : undefined,
  });
  return new RestKubeClient({
    transport,
    requestTimeoutMs: options.requestTimeoutMs,
    log: environment.log,
    signal: environment.signal,
    refreshCredentials: async () => {
      await source.refresh();
    },
  });
}
