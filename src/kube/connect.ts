// The entry into the cluster layer, imported lazily by deps.kube(): this is where
// client-node gets loaded, and only for verbs that talk to a cluster.
import { loadKubeconfig } from './kubeconfig.ts';
import { RestKubeClient } from './client.ts';
import { Transport, type TlsMaterial } from './transport.ts';
import { USER_AGENT } from '../version.ts';
import type { Logger } from '../cli/io.ts';
import type { GlobalOptions } from '../verbs/options.ts';
import type { KubeClient } from './types.ts';
import type { KubeConfig } from '@kubernetes/client-node';

export interface ConnectEnvironment {
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
}

export async function connect(options: GlobalOptions, environment: ConnectEnvironment): Promise<KubeClient> {
  const { config, contextName, cluster, user } = loadKubeconfig(options, environment.env);
  environment.log(6, () => `kubeconfig: context "${contextName}", cluster "${cluster.name}" (${cluster.server}), user "${user.name}"`);
  let credentials = await credentialsOf(config);
  const transport = new Transport(cluster.server, credentials.tls, async () => ({ ...credentials.headers, 'User-Agent': USER_AGENT }));
  return new RestKubeClient({
    transport,
    requestTimeoutMs: options.requestTimeoutMs,
    log: environment.log,
    signal: environment.signal,
    refreshCredentials: async () => {
      credentials = await credentialsOf(config);
    },
  });
}

/** TLS material and auth headers (bearer token, exec plugin, basic auth) from client-node. */
async function credentialsOf(config: KubeConfig): Promise<{ tls: TlsMaterial; headers: Record<string, string> }> {
  const options: { headers?: Record<string, string>; auth?: string } & TlsMaterial = {};
  await config.applyToHTTPSOptions(options as never);
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  return {
    tls: { ca: options.ca, cert: options.cert, key: options.key, rejectUnauthorized: options.rejectUnauthorized, servername: options.servername },
    headers,
  };
}
