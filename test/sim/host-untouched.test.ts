// The simulator never changes this machine's own network: its addresses, routes and
// nftables ruleset are the same before `up`, while a simulator runs and after `down`, and
// `down` leaves no process, mount or network namespace behind. Checked with a second
// simulator (its own state dir, ports 50 above), started and stopped by this file, beside
// the one the other tests use.
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { clusterNetwork, info } from './sim.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const stateDir = `${info().stateDir}-host`;
const env = { ...process.env, KAPSULE_HA_SIM_DIR: stateDir, KAPSULE_HA_SIM_PORT_OFFSET: String((Number(process.env.KAPSULE_HA_SIM_PORT_OFFSET ?? 0) || 0) + 50) };

function cli(operation: 'up' | 'down'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repo, 'node_modules/.bin/node'), [path.join(repo, 'test/sim/cli.ts'), operation], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`simulator ${operation} failed: ${stderr}`))));
  });
}

/** The machine's own network as `ip` and `nft` show it (address lifetimes, which count down, left out). */
async function hostNetwork(): Promise<Record<string, unknown>> {
  const json = async (file: string, args: string[]) => JSON.parse((await run(file, args, { maxBuffer: 64 << 20 })).stdout || 'null');
  const addresses = (await json('ip', ['-j', 'addr'])).map((link: any) => ({ ...link, addr_info: link.addr_info.map(({ valid_life_time: _v, preferred_life_time: _p, ...rest }: any) => rest) }));
  return { addresses, routes: await json('ip', ['-j', 'route']), ruleset: await json('nft', ['-j', 'list', 'ruleset']), namespaces: (await run('ip', ['netns', 'list'])).stdout };
}

/** Processes whose command line or environment names the state directory, and mounts under it. */
function leftovers(): { processes: string[]; mounts: string[] } {
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(stateDir) || environ.split('\0').includes(`KAPSULE_HA_SIM_RUNNER=${stateDir}`)) processes.push(`${pid} ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes(stateDir));
  return { processes, mounts };
}

afterAll(() => cli('down'));

test("up and down leave the machine's own addresses, routes and nftables ruleset as they were, and down leaves nothing behind", async () => {
  await cli('down'); // a leftover of an interrupted run
  const before = await hostNetwork();
  await cli('up');
  const gatewayPid = Number(readFileSync(path.join(stateDir, 'pids/pod-network.pid'), 'utf8'));
  const netns = clusterNetwork(stateDir);
  // Its own namespace, not the first simulator's, with kube-proxy's table in it.
  expect(readlinkSync(netns)).not.toBe(readlinkSync(clusterNetwork()));
  expect((await run('nsenter', [`--net=${netns}`, 'nft', 'list', 'table', 'ip', 'kube-proxy'])).stdout).toMatch(/10\.32\.0\.10/);
  expect(await hostNetwork()).toEqual(before);
  expect(leftovers().processes.length).toBeGreaterThan(3);
  await cli('down');
  expect(await hostNetwork()).toEqual(before);
  expect(leftovers()).toEqual({ processes: [], mounts: [] });
  expect(() => readlinkSync(`/proc/${gatewayPid}/ns/net`)).toThrow();
});
