// The CLI from arguments to exit code: parse, validate, run one verb, report errors.
// Nothing here exits the process; src/main.ts sets process.exitCode from the result.
import { lookupPrerendered } from './prerendered.ts';
import { reportError } from './report-error.ts';
import { makeDeps } from './deps.ts';
import type { Io } from './io.ts';
import type { GlobalOptions } from '../verbs/options.ts';

export interface CliContext {
  io: Io;
  /** How the program was invoked (process.argv[1] or the executable), for the usage name. */
  invokedAs: string;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
}

export async function runCli(args: string[], context: CliContext): Promise<number> {
  const { io } = context;
  if (args[0] === '__complete') {
    return (await import('./completion/complete.ts')).runComplete(args.slice(1), io);
  }
  // `help enable` as cobra-based CLIs (kubectl itself) accept it.
  if (args[0] === 'help') args = [...args.slice(1), '--help'];
  let verbosity = guessVerbosity(args);
  try {
    const scriptName = displayName(context.invokedAs);
    // yargs is loaded only when the invocation was not parsed at build time.
    const invocation = lookupPrerendered(args, scriptName, io.columns) ?? (await import('./parse.ts')).parseInvocation(args, scriptName, io.columns);
    if (invocation.kind === 'output') {
      io.out(invocation.text);
      return 0;
    }
    const options = invocation.command.options(invocation.argv);
    verbosity = (options as GlobalOptions).verbosity;
    const code = await invocation.command.run(options, makeDeps(options as GlobalOptions, io, context.signal));
    return code ?? 0;
  } catch (error) {
    return reportError(error, io, verbosity);
  }
}

/** `kubectl kapsule-ha` when kubectl runs us as a plugin (cmctl does the same), else the file name. */
export function displayName(invokedAs: string): string {
  const base = invokedAs.split(/[\\/]/).pop() ?? '';
  if (base.startsWith('kubectl-')) return 'kubectl kapsule-ha';
  return /\.(ts|js|cjs|mjs)$/.test(base) || base === '' ? 'kubectl-kapsule_ha' : base.replace(/\.exe$/, '');
}

/** -v before flags are validated, so that a usage error can still show its stack. */
function guessVerbosity(args: string[]): number {
  const index = args.findIndex((arg) => arg === '-v' || arg === '--v' || arg === '--verbosity');
  const inline = args.map((arg) => /^--?v(?:erbosity)?=(\d+)$/.exec(arg)?.[1]).find((value) => value !== undefined);
  return Number(inline ?? (index >= 0 ? args[index + 1] : 0)) || 0;
}
