// The fourth bundle: yargs and its dependencies (~90 KB), the argument parser. Shipped as a
// SEA asset and loaded by build/heavy-loader.ts only when an invocation was not parsed at
// build time (src/cli/prerendered.ts): help pages and `version` never compile it, and the
// verbs get it with a code cache warmed by parsing each of them (build/yargs-cache.ts).
import yargs from 'yargs';

/** Keyed by module name (see splitYargs in build/bundle.ts). */
export const modules: Record<string, unknown> = { yargs };
