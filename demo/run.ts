// npm run demo: what a user lives, with the real binary through kubectl's plugin mechanism,
// on the local Kapsule simulator. `--keep` leaves the simulator running afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as sim from '../test/sim/sim.ts';
import { startDnsProbe } from '../test/sim/dns-probe.ts';

const repo = path.resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function build(): string {
  const binary = path.join(repo, 'dist/kubectl-kapsule_ha');
  if (!existsSync(binary) || process.argv.includes('--rebuild')) {
    console.log(bold('# Building the plugin (npm run build)'));
    const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repo, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('npm run build failed');
  }
  return binary;
}

/** A PATH where `kubectl` is the simulator's and `kubectl-kapsule_ha` our binary. */
function pluginPath(binary: string, kubectlBin: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-demo-'));
  symlinkSync(binary, path.join(dir, 'kubectl-kapsule_ha'));
  symlinkSync(kubectlBin, path.join(dir, 'kubectl'));
  return `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
}

function step(env: NodeJS.ProcessEnv, what: string, args: string[]): Promise<number> {
  console.log(`\n${bold(`# ${what}`)}\n${bold(`$ kubectl ${args.join(' ')}`)}`);
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** A step under the DNS probe (a query to kube-dns every 50 ms, CoreDNS running for real): prints what it saw. */
async function stepUnderDns(env: NodeJS.ProcessEnv, what: string, args: string[]): Promise<number> {
  const probe = await startDnsProbe();
  const code = await step(env, what, args);
  const dns = await probe.stop();
  console.log(bold(`# DNS meanwhile: ${dns.sent} queries to kube-dns, ${dns.answered} answered, ${dns.failed} failed`));
  return code;
}

async function main(): Promise<void> {
  const binary = build();
  console.log(bold('# Starting the simulated Kapsule cluster (npm run sim:up)'));
  const info = await sim.up();
  await sim.reset();
  const env = { ...process.env, KUBECONFIG: info.kubeconfig, PATH: pluginPath(binary, path.join(info.binDir, 'kubectl')) };
  try {
    await step(env, 'The cluster: 9 Kapsule nodes in 3 zones, 2 pools', ['get', 'nodes', '-L', 'topology.kubernetes.io/zone,k8s.scaleway.com/pool-name']);
    await step(env, 'As Kapsule ships them: one replica each, one zone', ['kapsule-ha', 'status']);
    await step(env, 'What enable would change (exit 1: differences)', ['kapsule-ha', 'diff', 'coredns']);
    await stepUnderDns(env, 'Make all three highly available: copies first, originals down only once the copies serve', ['kapsule-ha', 'enable', 'all', '--yes']);
    await step(env, 'Now: coredns-ha in three zones, PDBs, the autoscaler', ['kapsule-ha', 'status']);
    console.log(`\n${bold('# A Kapsule upgrade: new images, a Corefile change, the originals back at 1 replica (npm run sim:upgrade)')}`);
    await sim.upgrade();
    await step(env, 'check-drift finds what the upgrade changed (exit 1: drift)', ['kapsule-ha', 'check-drift']);
    await stepUnderDns(env, 'enable again repairs it with minimal patches', ['kapsule-ha', 'enable', 'all', '--yes']);
    await step(env, 'check-drift is clean (exit 0)', ['kapsule-ha', 'check-drift']);
    await stepUnderDns(env, 'Undo it all, the originals serving again before the copies go', ['kapsule-ha', 'disable', 'all', '--yes']);
    await step(env, 'Back to what Kapsule ships', ['kapsule-ha', 'status']);
  } finally {
    if (keep) console.log(`\n${bold('# The simulator is still running:')} export KUBECONFIG=${info.kubeconfig}  (npm run sim:down stops it)`);
    else {
      console.log(`\n${bold('# Stopping the simulator (npm run sim:down; --keep leaves it up)')}`);
      await sim.down();
    }
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
