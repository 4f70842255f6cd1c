// A container's environment as the kubelet builds it: literal values, fieldRef,
// configMapKeyRef/secretKeyRef, envFrom, $(VAR) expansion, and the service links a
// client library needs to find the API server.
import type { Api } from '../lib/api.ts';

export interface PodContext {
  pod: any;
  podIP: string;
  hostIP: string;
  api: Api;
  apiServer: { host: string; port: number };
}

export async function containerEnv(container: any, context: PodContext): Promise<Record<string, string>> {
  const { pod } = context;
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: pod.metadata.name,
    // What the `kubernetes` Service's env links give every pod: here, the API server itself.
    KUBERNETES_SERVICE_HOST: context.apiServer.host,
    KUBERNETES_SERVICE_PORT: String(context.apiServer.port),
    KUBERNETES_SERVICE_PORT_HTTPS: String(context.apiServer.port),
    KUBERNETES_PORT: `tcp://${context.apiServer.host}:${context.apiServer.port}`,
  };
  for (const from of container.envFrom ?? []) {
    const source = from.configMapRef ? await keyValues(context, 'configmaps', from.configMapRef) : from.secretRef ? await keyValues(context, 'secrets', from.secretRef) : {};
    for (const [key, value] of Object.entries(source)) env[`${from.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const value = variable.valueFrom ? await valueFrom(variable.valueFrom, context) : expand(variable.value ?? '', env);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

/** $(NAME) becomes the variable's value when defined; $$ escapes; anything else stays as written. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => (match === '$$' ? '$' : name !== undefined && name in env ? (env[name] as string) : match));
}

async function valueFrom(source: any, context: PodContext): Promise<string | undefined> {
  if (source.fieldRef) return fieldValue(source.fieldRef.fieldPath, context);
  if (source.configMapKeyRef) return (await keyValues(context, 'configmaps', source.configMapKeyRef))[source.configMapKeyRef.key];
  if (source.secretKeyRef) return (await keyValues(context, 'secrets', source.secretKeyRef))[source.secretKeyRef.key];
  throw new Error(`env valueFrom ${Object.keys(source).join(',')} is not supported by the simulator's runner`);
}

function fieldValue(fieldPath: string, { pod, podIP, hostIP }: PodContext): string {
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (label) return pod.metadata[label[1] as string]?.[label[2] as string] ?? '';
  const fields: Record<string, string> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'spec.serviceAccountName': pod.spec.serviceAccountName ?? 'default',
    'status.podIP': podIP,
    'status.podIPs': podIP,
    'status.hostIP': hostIP,
    'status.hostIPs': hostIP,
  };
  if (!(fieldPath in fields)) throw new Error(`env fieldRef ${fieldPath} is not supported by the simulator's runner`);
  return fields[fieldPath] as string;
}

/** A ConfigMap's or Secret's data (decoded); a missing optional one is empty, a missing required one an error. */
export async function keyValues(context: PodContext, kind: 'configmaps' | 'secrets', ref: { name: string; optional?: boolean }): Promise<Record<string, string>> {
  const { status, body } = await context.api.get(`/api/v1/namespaces/${context.pod.metadata.namespace}/${kind}/${ref.name}`, [404]);
  if (status === 404) {
    if (ref.optional) return {};
    throw new Error(`${kind === 'configmaps' ? 'configmap' : 'secret'} "${ref.name}" not found`);
  }
  if (kind === 'configmaps') return body.data ?? {};
  return Object.fromEntries(Object.entries<string>(body.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}
