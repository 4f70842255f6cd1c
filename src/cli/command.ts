// The shape of one verb module: flags and help, validation into typed options, and a
// run() that lazily imports the implementation so that start-up stays light.
import type { Argv } from 'yargs';
import type { ParsedArgs } from './global-flags.ts';
import type { VerbDeps } from '../verbs/options.ts';

/** A command line parsed: text to print (help), or a verb with its arguments. */
export type Invocation =
  | { kind: 'output'; text: string }
  | { kind: 'verb'; command: VerbCommand<unknown>; argv: ParsedArgs };

export interface VerbCommand<O = unknown> {
  /** yargs command string, e.g. 'enable [components..]'. */
  usage: string;
  describe: string;
  builder(parser: Argv): Argv;
  /** argv → the verb's options; throws UsageError on bad input (exit 2). */
  options(argv: ParsedArgs): O;
  // Method syntax on purpose: lets every VerbCommand<X> sit in one VerbCommand<unknown> list.
  run(options: O, deps: VerbDeps): Promise<number | undefined>;
}

export function defineVerb<O>(command: VerbCommand<O>): VerbCommand<O> {
  return command;
}

/** Help examples in kubectl's style: a `# comment` line above each command, no `$`. */
export function withExamples(parser: Argv, examples: ReadonlyArray<readonly [comment: string, command: string]>): Argv {
  const lines = examples.map(([comment, command]) => `  # ${comment}\n  $0 ${command}`);
  return parser.epilogue(`Examples:\n${lines.join('\n\n')}`);
}
