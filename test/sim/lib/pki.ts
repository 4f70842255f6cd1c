// The cluster's secrets: a CA, the API server's serving certificate, the service-account
// signing key, and one bearer token per user. Made once per `up` with openssl.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { cluster, type Layout } from './layout.ts';

const run = promisify(execFile);

/** Who talks to the API server, and as which Kubernetes user and groups. */
export const users = {
  admin: { name: 'admin', groups: ['system:masters'] },
  restricted: { name: 'restricted', groups: [] },
  'kube-controller-manager': { name: 'system:kube-controller-manager', groups: [] },
  'kube-scheduler': { name: 'system:kube-scheduler', groups: [] },
  kwok: { name: 'kwok', groups: ['system:masters'] },
  // The process runner: the kubelet of the pods it runs (status, token requests, deletions).
  runner: { name: 'sim-runner', groups: ['system:masters'] },
  // Bound to ClusterRole system:node-proxier by the API server's bootstrap RBAC, as on any cluster.
  'kube-proxy': { name: 'system:kube-proxy', groups: [] },
} as const;

export type UserKey = keyof typeof users;
export type Tokens = Record<UserKey, string>;

export interface PkiFiles {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export function pkiFiles(l: Layout): PkiFiles {
  const at = (name: string) => path.join(l.pkiDir, name);
  return {
    caCert: at('ca.crt'),
    caKey: at('ca.key'),
    serverCert: at('apiserver.crt'),
    serverKey: at('apiserver.key'),
    serviceAccountKey: at('sa.key'),
    serviceAccountPub: at('sa.pub'),
  };
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Writes the CA, serving certificate, service-account keys and token file; returns the tokens. */
export async function createPki(l: Layout): Promise<Tokens> {
  await mkdir(l.pkiDir, { recursive: true, mode: 0o700 });
  const files = pkiFiles(l);
  await openssl(['req', '-x509', ...ecKey, '-keyout', files.caKey, '-out', files.caCert, '-days', '3650', '-subj', `/CN=${cluster.name}-ca`]);
  const csr = path.join(l.pkiDir, 'apiserver.csr');
  const extensions = path.join(l.pkiDir, 'apiserver.ext');
  const serviceIp = cluster.serviceCidr.replace(/0\/\d+$/, '1');
  const names = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  await writeFile(extensions, `subjectAltName=${[...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1', `IP:${serviceIp}`].join(',')}\nextendedKeyUsage=serverAuth\n`);
  await openssl(['req', ...ecKey, '-keyout', files.serverKey, '-out', csr, '-subj', '/CN=kube-apiserver']);
  await openssl(['x509', '-req', '-in', csr, '-CA', files.caCert, '-CAkey', files.caKey, '-CAcreateserial', '-out', files.serverCert, '-days', '3650', '-extfile', extensions]);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', files.serviceAccountKey]);
  await openssl(['pkey', '-in', files.serviceAccountKey, '-pubout', '-out', files.serviceAccountPub]);

  const tokens = Object.fromEntries(Object.keys(users).map((key) => [key, randomBytes(24).toString('hex')])) as Tokens;
  // kube-apiserver --token-auth-file: token,user,uid,"group1,group2"
  const lines = Object.entries(users).map(([key, user]) => `${tokens[key as UserKey]},${user.name},${user.name},"${user.groups.join(',')}"`);
  await writeFile(l.tokenFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  return tokens;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed: the simulator needs it to make its certificates.');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() ?? e.message}`);
  }
}
