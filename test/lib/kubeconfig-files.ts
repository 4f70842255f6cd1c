// Kubeconfig files written by the tests, each in its own temporary folder.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KubeconfigSpec {
  currentContext?: string;
  contexts: Array<{ name: string; cluster: string; user: string }>;
  clusters: Array<{ name: string; server: string }>;
  users: Array<{ name: string; token: string }>;
}

export function writeKubeconfig(spec: KubeconfigSpec): string {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    ...(spec.currentContext ? [`current-context: ${spec.currentContext}`] : []),
    'clusters:',
    ...spec.clusters.flatMap((cluster) => [`- name: ${cluster.name}`, '  cluster:', `    server: ${cluster.server}`]),
    'contexts:',
    ...spec.contexts.flatMap((context) => [`- name: ${context.name}`, '  context:', `    cluster: ${context.cluster}`, `    user: ${context.user}`]),
    'users:',
    ...spec.users.flatMap((user) => [`- name: ${user.name}`, '  user:', `    token: ${user.token}`]),
  ];
  const file = join(mkdtempSync(join(tmpdir(), 'kapsule-ha-kubeconfig-')), 'config');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
