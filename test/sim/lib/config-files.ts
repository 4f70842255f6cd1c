// Files the components read: kubeconfigs, the audit policy and kwok's configuration.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { cluster, ports, sourceDir, type Layout } from './layout.ts';
import { runnableImages } from '../runner/images.ts';
import { pkiFiles, type Tokens, type UserKey } from './pki.ts';

export const server = `https://127.0.0.1:${ports.apiserver}`;

/** The kubeconfig for people and tests: contexts `admin` (current) and `restricted`. */
export async function writeUserKubeconfig(l: Layout, tokens: Tokens): Promise<void> {
  await writeKubeconfig(l.kubeconfig, l, tokens, ['admin', 'restricted']);
}

/** One kubeconfig per component, each with its own user (the audit log tells them apart). */
export async function writeComponentKubeconfigs(l: Layout, tokens: Tokens): Promise<void> {
  await mkdir(path.dirname(l.componentKubeconfig('x')), { recursive: true });
  for (const key of ['kube-controller-manager', 'kube-scheduler', 'kwok', 'kube-proxy'] as const) {
    await writeKubeconfig(l.componentKubeconfig(key), l, tokens, [key]);
  }
}

async function writeKubeconfig(file: string, l: Layout, tokens: Tokens, userKeys: UserKey[]): Promise<void> {
  const ca = await readFile(pkiFiles(l).caCert);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: { server, 'certificate-authority-data': ca.toString('base64') } }],
    users: userKeys.map((key) => ({ name: key, user: { token: tokens[key] } })),
    contexts: userKeys.map((key) => ({ name: key, context: { cluster: cluster.name, user: key } })),
    'current-context': userKeys[0],
  };
  await writeFile(file, stringify(config), { mode: 0o600 });
}

/**
 * Metadata for every request, logged once (at ResponseComplete). The components'
 * lease renewals are left out: at 1,000 nodes they would be most of the log and say nothing.
 */
export async function writeAuditPolicy(l: Layout): Promise<void> {
  const policy = {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      {
        level: 'None',
        users: ['kwok', 'system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver', 'system:kube-proxy'],
        resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }],
      },
      { level: 'Metadata' },
    ],
  };
  await writeFile(l.auditPolicy, stringify(policy));
}

/** kwok's options and its stages (nodes Ready at once, bound pods Running and Ready, deletions immediate). */
export async function writeKwokConfig(l: Layout): Promise<void> {
  const options = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokConfiguration',
    options: {
      cidr: cluster.podCidr,
      manageAllNodes: false,
      manageNodesWithAnnotationSelector: kwokNodeAnnotation.selector,
      nodeLeaseDurationSeconds: 40,
      serverAddress: `127.0.0.1:${ports.kwok}`,
      nodeIP: '127.0.0.1',
      podPlayStageParallelism: 16,
      nodePlayStageParallelism: 16,
      nodeLeaseParallelism: 16,
    },
  };
  const stages = (await readFile(path.join(sourceDir, 'kwok/stages.yaml'), 'utf8')).replaceAll('__RUNNER_IMAGES__', runnerImagesPattern());
  await writeFile(l.kwokConfig, `${stringify(options)}---\n${stages}`);
}

/** The images the runner runs (runner/images.ts), as the regular expression kwok's stages test images with. */
export function runnerImagesPattern(): string {
  for (const image of runnableImages) if (!/^[a-z0-9./_-]+$/.test(image.prefix)) throw new Error(`image prefix ${image.prefix}: only [a-z0-9./_-] are written into kwok's expression`);
  return `^(${runnableImages.map((image) => image.prefix.replaceAll('.', '[.]')).join('|')})[:@]`;
}

/** Nodes with this annotation are kwok's to run; nothing else is. */
export const kwokNodeAnnotation = { key: 'kwok.x-k8s.io/node', value: 'fake', selector: 'kwok.x-k8s.io/node=fake' } as const;
