// Bundled into the executable's main script: loads the second bundle (build/heavy-entry.ts)
// the first time a verb needs it, from the SEA asset, or from the file beside main.cjs
// when the bundle is run with plain `node`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileFunction } from 'node:vm';
import sea from 'node:sea';

export const HEAVY_ASSET = 'heavy.cjs';

let loaded: Record<string, unknown> | undefined;

export function loadHeavy(): Record<string, unknown> {
  if (loaded) return loaded;
  const inExecutable = sea.isSea();
  const filename = inExecutable ? join(dirname(process.execPath), HEAVY_ASSET) : join(__dirname, HEAVY_ASSET);
  const code = inExecutable ? sea.getAsset(HEAVY_ASSET, 'utf8') : readFileSync(filename, 'utf8');
  const module: { exports: { modules?: Record<string, unknown> } } = { exports: {} };
  // The CommonJS wrapper by hand: an executable's require() only resolves built-ins,
  // which is all a bundle needs.
  const wrapper = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
  wrapper(module.exports, require, module, filename, dirname(filename));
  loaded = module.exports.modules ?? {};
  return loaded;
}
