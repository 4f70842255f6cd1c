// Makes the V8 code cache of yargs.cjs with the very Node binary the executable is made
// from, in a fresh process (as build/heavy-cache.ts does for heavy.cjs). Before the cache
// is taken, the CLI's own parser (src/cli/parse.ts, completion) runs on that very compiled
// yargs over every verb, so that the functions V8 compiles lazily while parsing are cached
// too: a verb's start-up then parses without compiling yargs.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Io } from '../src/verbs/io.ts';
import { heavyScript } from './heavy-loader.ts';

const [source, output] = process.argv.slice(2);
if (!source || !output) throw new Error('usage: yargs-cache.ts <yargs.cjs> <yargs.cache>');
const script = heavyScript(readFileSync(source, 'utf8'), source);
type Wrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
const module: { exports: { modules?: { yargs?: unknown } } } = { exports: {} };
(script.runInThisContext() as Wrapper)(module.exports, createRequire(resolve(source)), module, source, dirname(source));
if (typeof module.exports.modules?.yargs !== 'function') throw new Error('yargs.cjs exports no yargs');

// `import yargs from 'yargs'` in the CLI's sources gets the bundle just compiled.
(globalThis as { __kapsuleHaYargs?: unknown }).__kapsuleHaYargs = module.exports.modules.yargs;
registerHooks({
  resolve: (specifier, context, next) => (specifier === 'yargs' ? { url: 'kapsule-ha:yargs', shortCircuit: true } : next(specifier, context)),
  load: (url, context, next) =>
    url === 'kapsule-ha:yargs' ? { format: 'module', source: 'export default globalThis.__kapsuleHaYargs;', shortCircuit: true } : next(url, context),
});
const { parseInvocation } = await import('../src/cli/parse.ts');
const { runComplete } = await import('../src/cli/completion/complete.ts');
const { prerenderedArgs } = await import('./prerender.ts');
const invocations = [
  ...prerenderedArgs(),
  ['enable', 'all', '--yes'],
  ['enable', 'coredns', '--pools', 'a,b', '--dry-run=server', '-o', 'yaml'],
  ['disable', 'all', '--yes', '--context', 'x', '-n', 'kube-system'],
  ['diff', 'all'],
  ['check-drift', 'all'],
  ['check-drift', 'coredns', '-o', 'json', '--request-timeout', '30s'],
  ['status', 'all', '-v', '6'],
  ['version', '--server'],
  ['completion', 'bash'],
  ['check-drift', 'bogus'],
  ['enable', '--bogus'],
  [],
];
for (const args of invocations) {
  try {
    const invocation = parseInvocation(args, 'kubectl kapsule-ha', undefined);
    if (invocation.kind === 'verb') invocation.command.options(invocation.argv);
  } catch {
    // bad input on purpose: its path is warmed too
  }
}
// Completion's output is not wanted here, only the code it compiles.
const silent: Io = { out: () => {}, err: () => {}, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, columns: undefined, env: {}, ask: async () => undefined };
await runComplete(['enable', ''], silent);
writeFileSync(output, script.createCachedData());
