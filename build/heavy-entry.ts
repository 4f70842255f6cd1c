// The second bundle's entry, written at build time rather than by hand: every module below
// the CLI shell (src/verbs, src/kube...) that the shell imports lazily, that is each verb's
// implementation and src/kube/connect.ts, found while bundling main.cjs (build/bundle.ts).
// So the CLI's verb list (src/cli/verbs.ts) is the only list of verbs: a new verb's
// `import('../../verbs/<verb>.ts')` brings its implementation into heavy.cjs by itself.
import type { Metafile, StdinOptions } from 'esbuild';
import { resolve } from 'node:path';

/** Namespace of the lazy imports the splitHeavy plugin (build/bundle.ts) turned into lookups. */
export const HEAVY_NAMESPACE = 'heavy';

/** The modules main.cjs looks up in heavy.cjs, by path under src/ without extension ('verbs/enable'). */
export function heavyModulesOf(mainMetafile: Metafile): string[] {
  const prefix = `${HEAVY_NAMESPACE}:`;
  return Object.keys(mainMetafile.inputs)
    .filter((input) => input.startsWith(prefix))
    .map((input) => input.slice(prefix.length))
    .sort();
}

/** heavy.cjs's entry: `modules`, keyed as build/heavy-loader.ts looks them up. */
export function heavyEntry(modules: string[]): StdinOptions {
  if (modules.length === 0) throw new Error('no lazily imported module found for heavy.cjs: did the main bundle build without splitHeavy?');
  const imports = modules.map((key, index) => `import * as m${index} from '../src/${key}.ts';`);
  const entries = modules.map((key, index) => `  ${JSON.stringify(key)}: m${index},`);
  return {
    contents: `${imports.join('\n')}\nexport const modules: Record<string, unknown> = {\n${entries.join('\n')}\n};\n`,
    resolveDir: resolve('build'),
    sourcefile: 'build/heavy-entry (generated)',
    loader: 'ts',
  };
}
