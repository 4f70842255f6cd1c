// vitest globalSetup of the `sim` project: makes sure a simulator runs before the
// first test file and, if a test run started it, stops it when the last run using it ends.
// Contract (test/sim/README.md): inject('sim') gives the SimInfo; the same paths are in
// KAPSULE_HA_SIM_KUBECONFIG, KAPSULE_HA_SIM_DIR and KAPSULE_HA_SIM_AUDIT_LOG.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { isAlive } from './lib/processes.ts';
import { down, isRunning, up, type SimInfo } from './sim.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    sim: SimInfo;
  }
}

/**
 * The start-up delay (mean ms) of a simulator the tests start. The image-pull stand-in
 * matters where a test proves an order under it (the DNS cut-over files set
 * test/lib/dns.ts's START_DELAY_MS, which reset() undoes); elsewhere it is only waiting. A
 * simulator already running keeps the delay it was started with.
 */
export const SUITE_START_DELAY_MS = 500;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const alreadyRunning = await isRunning();
  const started = Date.now();
  const sim = await up({ startDelayMs: SUITE_START_DELAY_MS });
  // Several test runs may share one checkout's simulator: each registers while it runs.
  const clients = path.join(sim.stateDir, 'test-runs');
  const startedMarker = path.join(clients, 'started-by-a-test-run');
  await mkdir(clients, { recursive: true });
  await writeFile(path.join(clients, String(process.pid)), '');
  if (!alreadyRunning) {
    await writeFile(startedMarker, '');
    console.log(`[sim] simulator started in ${((Date.now() - started) / 1000).toFixed(1)}s (${sim.server})`);
  }
  project.provide('sim', sim);
  process.env.KAPSULE_HA_SIM_KUBECONFIG = sim.kubeconfig;
  process.env.KAPSULE_HA_SIM_DIR = sim.stateDir;
  process.env.KAPSULE_HA_SIM_AUDIT_LOG = sim.auditLog;

  return async () => {
    await rm(path.join(clients, String(process.pid)), { force: true });
    const othersRunning = existsSync(clients) && readdirSync(clients).some((name) => /^\d+$/.test(name) && isAlive(Number(name)));
    // A simulator a person started stays; so does one with KAPSULE_HA_SIM_KEEP set.
    if (existsSync(startedMarker) && !othersRunning && !process.env.KAPSULE_HA_SIM_KEEP) await down();
  };
}
