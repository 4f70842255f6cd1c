// esbuild: the CommonJS bundles for the executable. main.cjs is the CLI shell (flags, help,
// version, completion); yargs.cjs the argument parser, heavy.cjs the verbs and the Kubernetes
// layer, client-node.cjs client-node: each compiled only when needed (build/heavy-loader.ts).
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { resolve } from 'node:path';
import { prerender } from './prerender.ts';

export const BUNDLE_OPTIONS: BuildOptions = {
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  keepNames: true, // error class names stay readable in -v stack traces
  legalComments: 'none',
  // ESM dependencies (yargs, yargs-parser) read import.meta.url; in CommonJS it is empty.
  // Defined from __filename, it points at the executable, which is all they need it for.
  define: { 'import.meta.url': '__kapsuleHaImportMetaUrl' },
  banner: { js: 'var __kapsuleHaImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  // See build/shims/string-width.ts: the same widths for our text, 30 ms less start-up.
  alias: { 'string-width': './build/shims/string-width.ts' },
  logLevel: 'warning',
};

/** Modules the CLI imports lazily that go to heavy.cjs, by path under src/ (build/heavy-entry.ts). */
const HEAVY_MODULES = /\/src\/((?:verbs\/(?:enable|disable|diff|check-drift|status|guard))|kube\/connect)\.ts$/;

/** In main.cjs, `import('…/verbs/enable.ts')` becomes a lookup in the lazily loaded heavy.cjs. */
export const splitHeavy: Plugin = {
  name: 'split-heavy',
  setup(builder) {
    builder.onResolve({ filter: /\.ts$/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const match = HEAVY_MODULES.exec(resolve(args.resolveDir, args.path));
      return match ? { path: match[1]!, namespace: 'heavy' } : undefined;
    });
    builder.onLoad({ filter: /.*/, namespace: 'heavy' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(resolve('build/heavy-loader.ts'))}).loadHeavy()[${JSON.stringify(args.path)}];`,
      loader: 'js',
      resolveDir: resolve('build'),
    }));
  },
};

/**
 * In heavy.cjs, `import('…/kube/kubeconfig-client-node.ts')` becomes a lookup in a third
 * bundle, client-node.cjs (build/client-node-entry.ts): client-node and its dependencies
 * are ~1.5 MB of the verbs' bundle, needed only for auth-provider users and to word why a
 * kubeconfig is invalid, so a cluster verb no longer reads nor compiles them. The SOCKS5
 * dialer (kube/proxy-socks.ts, the `socks` library client-node also uses) lives there too.
 */
export const CLIENT_NODE_MODULE = /\/src\/(kube\/(?:kubeconfig-client-node|proxy-socks))\.ts$/;
export const splitClientNode: Plugin = {
  name: 'split-client-node',
  setup(builder) {
    builder.onResolve({ filter: /\.ts$/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const match = CLIENT_NODE_MODULE.exec(resolve(args.resolveDir, args.path));
      return match ? { path: match[1]!, namespace: 'client-node' } : undefined;
    });
    builder.onLoad({ filter: /.*/, namespace: 'client-node' }, (args) => ({
      contents: `const loader = require(${JSON.stringify(resolve('build/heavy-loader.ts'))}); module.exports = loader.loadBundle(loader.CLIENT_NODE_ASSET)[${JSON.stringify(args.path)}];`,
      loader: 'js',
      resolveDir: resolve('build'),
    }));
  },
};

/** The help pages and `version` parsed now, for src/cli/prerendered.ts: a JSON string in the main bundle. */
export function prerenderedDefine(): Record<string, string> {
  return { __KAPSULE_HA_PRERENDERED__: JSON.stringify(JSON.stringify(prerender())) };
}

/**
 * In main.cjs, `import yargs from 'yargs'` (src/cli/parse.ts, completion) becomes a lookup in
 * a fourth bundle, yargs.cjs (build/yargs-entry.ts), made when parse.ts is first imported:
 * lazily, since the help pages and `version` are served from the table parsed at build time.
 */
export const splitYargs: Plugin = {
  name: 'split-yargs',
  setup(builder) {
    builder.onResolve({ filter: /^yargs$/ }, () => ({ path: 'yargs', namespace: 'yargs-bundle' }));
    builder.onLoad({ filter: /.*/, namespace: 'yargs-bundle' }, () => ({
      contents: `const loader = require(${JSON.stringify(resolve('build/heavy-loader.ts'))}); module.exports = loader.loadBundle(loader.YARGS_ASSET, loader.YARGS_CACHE_ASSET).yargs;`,
      loader: 'js',
      resolveDir: resolve('build'),
    }));
  },
};

export interface Bundles {
  main: string;
  heavy: string;
  clientNode: string;
  yargs: string;
  metafile: Metafile;
}

export async function bundle(outDir: string): Promise<Bundles> {
  const main = `${outDir}/main.cjs`;
  const heavy = `${outDir}/heavy.cjs`;
  const clientNode = `${outDir}/client-node.cjs`;
  const yargs = `${outDir}/yargs.cjs`;
  const [mainResult] = await Promise.all([
    build({ ...BUNDLE_OPTIONS, outfile: main, metafile: true, plugins: [splitHeavy, splitYargs], define: { ...BUNDLE_OPTIONS.define, ...prerenderedDefine() } }),
    build({ ...BUNDLE_OPTIONS, entryPoints: ['build/yargs-entry.ts'], outfile: yargs }),
    build({ ...BUNDLE_OPTIONS, entryPoints: ['build/heavy-entry.ts'], outfile: heavy, plugins: [splitClientNode] }),
    build({ ...BUNDLE_OPTIONS, entryPoints: ['build/client-node-entry.ts'], outfile: clientNode }),
  ]);
  return { main, heavy, clientNode, yargs, metafile: mainResult.metafile };
}

/** Inputs reachable from the entry through static imports only (what start-up evaluates). */
export function staticallyReachable(metafile: Metafile, entry = 'src/main.ts'): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const edge of metafile.inputs[path]?.imports ?? []) {
      if (edge.kind !== 'dynamic-import' && !edge.external) pending.push(edge.path);
    }
  }
  return seen;
}
