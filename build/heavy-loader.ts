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

type Wrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;

/** The CommonJS wrapper by hand: an executable's require() only resolves built-ins, which is all a bundle needs. */
export function heavyScript(code: string, filename: string, cachedData?: Buffer): Script {
  return new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename, cachedData });
}

let loaded: Record<string, unknown> | undefined;

export function loadHeavy(): Record<string, unknown> {
  if (loaded) return loaded;
  const inExecutable = sea.isSea();
  const filename = inExecutable ? join(dirname(process.execPath), HEAVY_ASSET) : join(__dirname, HEAVY_ASSET);
  const code = inExecutable ? sea.getAsset(HEAVY_ASSET, 'utf8') : readFileSync(filename, 'utf8');
  const module: { exports: { modules?: Record<string, unknown> } } = { exports: {} };
  const wrapper = heavyScript(code, filename, cacheOf(inExecutable, filename)).runInThisContext() as Wrapper;
  wrapper(module.exports, require, module, filename, dirname(filename));
  loaded = module.exports.modules ?? {};
  return loaded;
}

function cacheOf(inExecutable: boolean, filename: string): Buffer | undefined {
  try {
    if (inExecutable) return Buffer.from(sea.getRawAsset(HEAVY_CACHE_ASSET));
    const file = filename.replace(/\.cjs$/, '.cache');
    return existsSync(file) ? readFileSync(file) : undefined;
  } catch {
    return undefined; // no cache asset (cross builds): compile from source
  }
}
