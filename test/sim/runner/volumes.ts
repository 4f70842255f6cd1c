// A pod's volumes as the kubelet lays them out: configMap, secret, projected (the
// service-account token from the TokenRequest API, kube-root-ca.crt, the namespace),
// downwardAPI and emptyDir. Files are swapped in atomically, as the kubelet's
// AtomicWriter does (a ..<time> directory, ..data pointing at it, each key a link
// through ..data), so a reader such as CoreDNS's `reload` never sees half a change.
import { mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keyValues, type PodContext } from './env.ts';

export interface Projection {
  /** Relative path → content. */
  files: Record<string, string>;
  /** ConfigMaps (in the pod's namespace) this volume shows: a change to one is projected again. */
  configMaps: string[];
  /** When a token in it should be renewed (ms from now, 80% of its life, as the kubelet does). */
  renewInMs?: number;
}

/** What a volume holds now; undefined for a volume that is a plain directory (emptyDir). */
export async function project(volume: any, context: PodContext): Promise<Projection | undefined> {
  if (volume.emptyDir) return undefined;
  if (volume.configMap) return fromKeys(await keyValues(context, 'configmaps', volume.configMap), volume.configMap, [volume.configMap.name]);
  if (volume.secret) return fromKeys(await keyValues(context, 'secrets', { name: volume.secret.secretName, optional: volume.secret.optional }), volume.secret, []);
  if (volume.downwardAPI) return { files: downward(volume.downwardAPI.items ?? [], context), configMaps: [] };
  if (volume.projected) {
    const result: Projection = { files: {}, configMaps: [] };
    for (const source of volume.projected.sources ?? []) {
      const part = await projectedSource(source, context);
      Object.assign(result.files, part.files);
      result.configMaps.push(...part.configMaps);
      if (part.renewInMs !== undefined) result.renewInMs = Math.min(result.renewInMs ?? Infinity, part.renewInMs);
    }
    return result;
  }
  throw new Error(`volume ${volume.name}: only configMap, secret, projected, downwardAPI and emptyDir volumes run in the simulator`);
}

async function projectedSource(source: any, context: PodContext): Promise<Projection> {
  if (source.configMap) return fromKeys(await keyValues(context, 'configmaps', source.configMap), source.configMap, [source.configMap.name]);
  if (source.secret) return fromKeys(await keyValues(context, 'secrets', source.secret), source.secret, []);
  if (source.downwardAPI) return { files: downward(source.downwardAPI.items ?? [], context), configMaps: [] };
  if (source.serviceAccountToken) return serviceAccountToken(source.serviceAccountToken, context);
  throw new Error(`projected source ${Object.keys(source).join(',')} is not supported by the simulator's runner`);
}

/** All keys, or only `items` (each key to its path; a missing key is an error unless optional). */
function fromKeys(data: Record<string, string>, source: { name?: string; items?: { key: string; path: string }[]; optional?: boolean }, configMaps: string[]): Projection {
  if (!source.items) return { files: { ...data }, configMaps };
  const files: Record<string, string> = {};
  for (const item of source.items) {
    if (item.key in data) files[item.path] = data[item.key] as string;
    else if (!source.optional) throw new Error(`configmap or secret "${source.name}": key "${item.key}" not found`);
  }
  return { files, configMaps };
}

function downward(items: { path: string; fieldRef?: { fieldPath: string } }[], { pod }: PodContext): Record<string, string> {
  const values: Record<string, string> = { 'metadata.namespace': pod.metadata.namespace, 'metadata.name': pod.metadata.name, 'metadata.uid': pod.metadata.uid };
  const files: Record<string, string> = {};
  for (const item of items) {
    const field = item.fieldRef?.fieldPath ?? '';
    if (field === 'metadata.labels' || field === 'metadata.annotations') {
      const map = pod.metadata[field.slice('metadata.'.length)] ?? {};
      files[item.path] = Object.entries(map).map(([k, v]) => `${k}="${v}"`).join('\n');
    } else if (field in values) files[item.path] = values[field] as string;
    else throw new Error(`downwardAPI ${field || 'resourceFieldRef'} is not supported by the simulator's runner`);
  }
  return files;
}

/** A token bound to the pod, from the TokenRequest API, as the kubelet requests it. */
async function serviceAccountToken(source: { path: string; expirationSeconds?: number; audience?: string }, { pod, api }: PodContext): Promise<Projection> {
  const serviceAccount = pod.spec.serviceAccountName ?? 'default';
  const { body } = await api.request('POST', `/api/v1/namespaces/${pod.metadata.namespace}/serviceaccounts/${serviceAccount}/token`, {
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        ...(source.audience ? { audiences: [source.audience] } : {}),
        expirationSeconds: source.expirationSeconds ?? 3607,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    },
  });
  const lifeMs = Date.parse(body.status.expirationTimestamp) - Date.now();
  return { files: { [source.path]: body.status.token }, configMaps: [], renewInMs: Math.max(1000, lifeMs * 0.8) };
}

/** Replaces the directory's content in one rename (kubelet's AtomicWriter layout). */
export async function writeAtomically(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.hrtime.bigint() % 1_000_000n}`;
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, stamp, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, { mode: 0o644 });
  }
  const previous = await readlink(path.join(dir, '..data')).catch(() => undefined);
  await symlink(stamp, path.join(dir, '..data_tmp'));
  await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  // Each top-level entry is a link through ..data (existing links keep pointing there);
  // the links of keys that went are removed.
  const tops = new Set(Object.keys(files).map((relative) => relative.split('/')[0] as string));
  for (const top of tops) {
    await symlink(path.join('..data', top), path.join(dir, top)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  // Only the links: a folder here is another volume's mount point (made by the container runtime).
  for (const entry of await readdir(dir, { withFileTypes: true })) if (!entry.name.startsWith('..') && !tops.has(entry.name) && entry.isSymbolicLink()) await rm(path.join(dir, entry.name), { force: true });
  if (previous && previous !== stamp) await rm(path.join(dir, previous), { recursive: true, force: true });
}
