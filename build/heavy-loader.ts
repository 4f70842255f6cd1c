// Bundled into the executable's main script: loads the second bundle (build/heavy-entry.ts)
// the first time a verb needs it, from the SEA asset, or from the file beside main.cjs
// when the bundle is run with plain `node`. A V8 code cache made at build time (asset
// heavy.cache, native builds only) spares compiling it; V8 ignores a cache that does not fit.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import sea from 'node:sea';

export const HEAVY_ASSET = 'heavy.cjs';
export const HEAVY_CACHE_ASSET = 'heavy.cache';
/** The third bundle (build/client-node-entry.ts): client-node, for what src/kube does not handle itself. */
export const CLIENT_NODE_ASSET = 'client-node.cjs';
/** The fourth (build/yargs-entry.ts): yargs, for invocations not parsed at build time. */
export const YARGS_ASSET = 'yargs.cjs';
export const YARGS_CACHE_ASSET = 'yargs.cache';

type Wrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;

/** The CommonJS wrapper by hand: an executable's require() only resolves built-ins, which is all a bundle needs. */
export function heavyScript(code: string, filename: string, cachedData?: Buffer): Script {
  return new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename, cachedData });
}

const loaded = new Map<string, Record<string, unknown>>();

export function loadHeavy(): Record<string, unknown> {
  return loadBundle(HEAVY_ASSET, HEAVY_CACHE_ASSET);
}

/** A lazily loaded bundle's modules (once), from the SEA asset or the file beside this script. */
export function loadBundle(asset: string, cacheAsset?: string): Record<string, unknown> {
  const known = loaded.get(asset);
  if (known) return known;
  const inExecutable = sea.isSea();
  const filename = inExecutable ? join(dirname(process.execPath), asset) : join(__dirname, asset);
  const code = inExecutable ? sea.getAsset(asset, 'utf8') : readFileSync(filename, 'utf8');
  const module: { exports: { modules?: Record<string, unknown> } } = { exports: {} };
  const cache = cacheAsset ? cacheOf(inExecutable, filename, cacheAsset) : undefined;
  const wrapper = heavyScript(code, filename, cache).runInThisContext() as Wrapper;
  wrapper(module.exports, require, module, filename, dirname(filename));
  const modules = module.exports.modules ?? {};
  loaded.set(asset, modules);
  return modules;
}

function cacheOf(inExecutable: boolean, filename: string, cacheAsset: string): Buffer | undefined {
  try {
    if (inExecutable) return Buffer.from(sea.getRawAsset(cacheAsset));
    const file = filename.replace(/\.cjs$/, '.cache');
    return existsSync(file) ? readFileSync(file) : undefined;
  } catch {
    return undefined; // no cache asset (cross builds): compile from source
  }
}
