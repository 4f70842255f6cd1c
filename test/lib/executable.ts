// Which program the tests run against a cluster: the built single executable, as users
// install it (dist/kubectl-kapsule_ha), unless KAPSULE_HA_TEST_FROM_SOURCE=1 asks for
// src/main.ts under Node for quick local work. CI never sets it (.ci/run refuses it).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BINARY_NAME, PLATFORM, VERSION } from '../../src/version.ts';

export const repo = resolve(import.meta.dirname, '../..');
export const dist = join(repo, 'dist');
export const executable = join(dist, BINARY_NAME);
export const fromSource = process.env.KAPSULE_HA_TEST_FROM_SOURCE === '1';

/** The User-Agent every request of the program under test carries (src/version.ts). */
export const expectedUserAgent = `${BINARY_NAME}/${VERSION} (${PLATFORM}) ${fromSource ? 'node' : 'sea'}`;

const BUILD_INPUTS = ['src', 'build', 'package.json', 'package-lock.json', 'plugin.yaml', 'LICENSE'];

/** Why dist/ cannot be used as it is (missing, or older than a source), or undefined. */
export function buildProblem(): string | undefined {
  if (!existsSync(executable) || !existsSync(join(dist, 'plugin.yaml'))) return `${executable} is missing`;
  const built = statSync(executable).mtimeMs;
  const newer = BUILD_INPUTS.find((input) => newestMtime(join(repo, input)) > built);
  return newer ? `${executable} is older than ${newer}/` : undefined;
}

let checked = false;

/** The command that runs the plugin; throws (once per file) when the executable is missing or stale. */
export function pluginCommand(): { file: string; args: string[] } {
  if (fromSource) return { file: join(repo, 'node_modules/.bin/node'), args: [join(repo, 'src/main.ts')] };
  if (!checked) {
    const problem = buildProblem();
    if (problem) throw new Error(`${problem}: run npm run build (or set KAPSULE_HA_TEST_FROM_SOURCE=1 to run src/main.ts locally)`);
    checked = true;
  }
  return { file: executable, args: [] };
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}
