// Starting and stopping the control plane's processes, with clear failures.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { components, type Component } from './components.ts';
import { writeAuditPolicy, writeComponentKubeconfigs, writeKwokConfig, writeUserKubeconfig } from './config-files.ts';
import { ports, repoRoot, type Layout } from './layout.ts';
import { createPki, type Tokens } from './pki.ts';
import { isAlive, logFile, portInUse, startProcess, stopProcesses, tailOfLog } from './processes.ts';
import { pollUntil } from './settle.ts';

export const binaries = ['kube', 'etcd', 'kwok', 'coredns', 'cluster-proportional-autoscaler'];

/** Runs test/sim/build.sh when a binary is missing (a cold build takes minutes; it shows progress). */
export async function ensureBinaries(l: Layout): Promise<void> {
  if (binaries.every((name) => existsSync(path.join(l.binDir, name)))) return;
  const code = await new Promise<number>((resolve, reject) => {
    const build = spawn('bash', [path.join(repoRoot, 'test/sim/build.sh')], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, SIM_BIN: l.binDir } });
    build.once('error', reject);
    build.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) throw new Error(`building the simulator's binaries failed (test/sim/build.sh exited ${code}); see the messages above`);
}

export async function checkPortsFree(): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    if (await portInUse(port)) {
      throw new Error(`port ${port} (${name}) on 127.0.0.1 is in use: another simulator (another checkout?) or program holds it; stop it first`);
    }
  }
}

/** Empties the state directory but for the lock, then writes certificates and configuration. */
export async function prepareStateDir(l: Layout): Promise<Tokens> {
  for (const entry of await readdir(l.stateDir)) {
    if (path.join(l.stateDir, entry) !== l.lockFile) await rm(path.join(l.stateDir, entry), { recursive: true, force: true });
  }
  const tokens = await createPki(l);
  await Promise.all([writeUserKubeconfig(l, tokens), writeComponentKubeconfigs(l, tokens), writeAuditPolicy(l), writeKwokConfig(l)]);
  return tokens;
}

/**
 * etcd and the cluster network, then the API server, then the rest together (kube-controller-manager gives up
 * if the API server is not healthy within 10s of its start). Each must answer its
 * health check in time; if one does not, everything started is stopped.
 */
export async function startControlPlane(l: Layout, onApiServerReady: () => Promise<void>): Promise<void> {
  const all = await components(l);
  const [etcd, network, apiserver, ...rest] = all as [Component, Component, Component, ...Component[]];
  try {
    await startAndWait(l, [etcd, network]);
    await startAndWait(l, [apiserver]);
    // Seeding (nodes, kube-system) overlaps with the controllers' start-up.
    await Promise.all([startAndWait(l, rest), onApiServerReady()]);
  } catch (error) {
    await stopProcesses(l);
    throw error;
  }
}

/** Starts one component of a running simulator again (e.g. kube-proxy after a test stopped it) and waits until it is ready. */
export async function startComponent(l: Layout, name: string): Promise<void> {
  const component = (await components(l)).find((c) => c.name === name);
  if (!component) throw new Error(`no simulator component ${name}`);
  await startAndWait(l, [component]);
}

async function startAndWait(l: Layout, group: Component[]): Promise<void> {
  const pids = new Map<string, number>();
  for (const component of group) pids.set(component.name, await startProcess(l, component));
  await Promise.all(
    group.map(async (component) => {
      try {
        await pollUntil(`${component.name} to be ready`, component.timeoutMs, async () => {
          if (!isAlive(pids.get(component.name) ?? -1)) throw new Error('exited');
          return (await component.ready()) ? undefined : 'its health check';
        });
      } catch (error) {
        const reason = (error as Error).message === 'exited' ? 'exited during start-up' : `was not ready within ${component.timeoutMs / 1000}s`;
        throw new Error(`${component.name} ${reason}. Last lines of ${logFile(l, component.name)}:\n${await tailOfLog(l, component.name)}`);
      }
    }),
  );
}
