// What the krew test needs, built when missing: the release build (npm run build, redone
// when a source is newer than the binary) and real krew from the Go module proxy.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildProblem, dist, repo } from './executable.ts';

export { dist, repo };
export const krewBin = join(repo, '.cache/krew/bin');
// As test/sim/build.sh and sim.ts: SIM_BIN when set (a shared build), else the repository's.
export const simBin = process.env.SIM_BIN ? resolve(process.env.SIM_BIN) : join(repo, '.cache/sim/bin');

export function ensureBuild(): void {
  if (!buildProblem()) return;
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
