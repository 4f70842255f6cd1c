// esbuild: src/main.ts → one CommonJS file, as a Node single executable needs.
import { build, type BuildOptions, type Metafile } from 'esbuild';

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

export async function bundle(outfile: string): Promise<Metafile> {
  const result = await build({ ...BUNDLE_OPTIONS, outfile, metafile: true });
  return result.metafile;
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
