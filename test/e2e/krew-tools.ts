// What the krew test needs, built when missing: the release build (npm run build, redone
// when a source is newer than the binary) and real krew from the Go module proxy.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repo = resolve(import.meta.dirname, '../..');
export const dist = join(repo, 'dist');
export const krewBin = join(repo, '.cache/krew/bin');
// As test/sim/build.sh and sim.ts: SIM_BIN when set (a shared build), else the repository's.
export const simBin = process.env.SIM_BIN ? resolve(process.env.SIM_BIN) : join(repo, '.cache/sim/bin');

const BUILD_INPUTS = ['src', 'build', 'package.json', 'package-lock.json', 'plugin.yaml', 'LICENSE'];

export function ensureBuild(): void {
  const binary = join(dist, 'kubectl-kapsule_ha');
  const manifest = join(dist, 'plugin.yaml');
  const built = existsSync(binary) && existsSync(manifest) ? statSync(binary).mtimeMs : 0;
  if (built > 0 && BUILD_INPUTS.every((input) => newestMtime(join(repo, input)) <= built)) return;
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function ensureKrew(): void {
  execFileSync('bash', [join(repo, 'build/krew-tools.sh')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** kubectl v1.35 from the simulator's build (/usr/bin/kubectl may be an unrelated wrapper). */
export function kubectlDir(): string {
  if (!existsSync(join(simBin, 'kubectl'))) throw new Error(`${simBin}/kubectl is missing: run npm run sim:build`);
  return simBin;
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}
