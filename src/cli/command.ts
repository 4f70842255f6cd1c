// The shape of one verb module: flags and help, validation into typed options, and a
// run() that lazily imports the implementation so that start-up stays light.
import type { Argv } from 'yargs';
import type { ParsedArgs } from './global-flags.ts';
import type { VerbDeps } from '../verbs/options.ts';

export interface VerbCommand<O = unknown> {
  /** yargs command string, e.g. 'enable [components..]'. */
  usage: string;
  describe: string;
  builder(parser: Argv): Argv;
  /** argv → the verb's options; throws UsageError on bad input (exit 2). */
  options(argv: ParsedArgs): O;
  // Method syntax on purpose: lets every VerbCommand<X> sit in one VerbCommand<unknown> list.
  run(options: O, deps: VerbDeps): Promise<number | void>;
}

export function defineVerb<O>(command: VerbCommand<O>): VerbCommand<O> {
  return command;
}

/** Help examples in kubectl's style: a `# comment` line above each command, no `$`. */
export function withExamples(parser: Argv, examples: ReadonlyArray<readonly [comment: string, command: string]>): Argv {
  const lines = examples.map(([comment, command]) => `  # ${comment}\n  $0 ${command}`);
  return parser.epilogue(`Examples:\n${lines.join('\n\n')}`);
}

/** kubectl-style "last one wins" for a flag given twice. */
export function lastValue(value: unknown): unknown {
  return Array.isArray(value) ? value.at(-1) : value;
}
