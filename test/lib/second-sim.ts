// A second simulator beside the first (fleet tests and the fleet benchmark): its state dir
// is the first one's plus "-fleet", its ports 50 above the first's offset. Driven through
// test/sim/cli.ts in a child process: the port offset is read once per process.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';

const repo = path.resolve(import.meta.dirname, '../..');

export function secondSimEnv(firstStateDir: string): Record<string, string> {
  return {
    KAPSULE_HA_SIM_DIR: `${firstStateDir}-fleet`,
    KAPSULE_HA_SIM_PORT_OFFSET: String((Number(process.env.KAPSULE_HA_SIM_PORT_OFFSET ?? 0) || 0) + 50),
  };
}

export function secondSim(firstStateDir: string, operation: 'up' | 'reset' | 'upgrade' | 'down'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repo, 'node_modules/.bin/node'), [path.join(repo, 'test/sim/cli.ts'), operation], {
      env: { ...process.env, ...secondSimEnv(firstStateDir) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`second simulator ${operation} failed: ${stderr}`))));
  });
}

export interface KubeconfigEntry {
  cluster: object;
  user: object;
  context: object;
}

/** The admin context of a simulator's kubeconfig, renamed `name`. */
export function adminOf(kubeconfig: string, name: string): KubeconfigEntry {
  const config = parse(readFileSync(kubeconfig, 'utf8'));
  const context = config.contexts.find((c: any) => c.name === 'admin').context;
  return {
    cluster: { name, cluster: config.clusters.find((c: any) => c.name === context.cluster).cluster },
    user: { name, user: config.users.find((u: any) => u.name === context.user).user },
    context: { name, context: { cluster: name, user: name } },
  };
}

/** A context whose server is `https://127.0.0.1:<port>` (a dead or silent one). */
export function localContext(name: string, port: number): KubeconfigEntry {
  return {
    cluster: { name, cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
    user: { name, user: { token: 'unused' } },
    context: { name, context: { cluster: name, user: name } },
  };
}

export function writeKubeconfig(file: string, entries: KubeconfigEntry[]): void {
  const config = { apiVersion: 'v1', kind: 'Config', 'current-context': (entries[0]!.context as { name: string }).name };
  writeFileSync(file, stringify({ ...config, clusters: entries.map((e) => e.cluster), users: entries.map((e) => e.user), contexts: entries.map((e) => e.context) }));
}
