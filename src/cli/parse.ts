// yargs does the parsing and the help text only: it never runs a verb, prints or exits.
// Its output is captured and returned, its failures become UsageError.
import yargs, { type Argv } from 'yargs';
import { UsageError } from './errors.ts';
import { addGlobalFlags, CONNECTION_HELP, groupFlags, takeConnectionFlags, VALUE_FLAGS, type ParsedArgs } from './global-flags.ts';
import { VERBS, verbName } from './verbs.ts';
import type { Invocation, VerbCommand } from './command.ts';
import { helpWidth } from './prerendered.ts';

export function parseInvocation(commandLine: string[], scriptName: string, columns: number | undefined): Invocation {
  let selected: { command: VerbCommand<unknown>; argv: ParsedArgs } | undefined;
  // kubectl's connection flags are read before yargs (for speed); help names them in one line.
  const { args, values: connection } = takeConnectionFlags(commandLine);
  const parser: Argv = addGlobalFlags(yargs(), { connection: false })
    .scriptName(scriptName)
    .locale('en')
    .usage(`$0 <verb> [flags]\n\nMake Scaleway Kapsule's coredns, metrics-server and cilium-operator highly available.`)
    .help('help')
    .alias('help', 'h')
    .version(false)
    .strict()
    .exitProcess(false)
    .showHelpOnFail(false)
    .epilogue(CONNECTION_HELP)
    .wrap(helpWidth(columns))
    // No camelCase copies or alias copies in argv: fewer keys for strict mode to check (it
    // costs yargs ~40 method binds per key, measured ~15 ms of start-up), and one name per flag.
    .parserConfiguration({ 'dot-notation': false, 'camel-case-expansion': false, 'strip-aliased': true, 'duplicate-arguments-array': true })
    .fail((message, error) => {
      // yargs reports its own validation failures as YError; anything else is ours.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(`${oneLine(message ?? error?.message)} (see '${scriptName}${verbOf(args)} --help')`);
    });
  skipHelpCache(parser);
  for (const command of VERBS) {
    parser.command(command.usage, command.describe, (sub) => groupFlags(command.builder(sub.epilogue(`${CONNECTION_HELP}\n`))), (argv) => {
      selected = { command, argv: argv as ParsedArgs };
    });
  }
  // No verb at all.
  parser.command('$0', false, (sub) => groupFlags(sub), () => {
    throw new UsageError(`name a verb: ${VERBS.map(verbName).join(', ')} (see '${scriptName} --help')`);
  });

  rejectUnknownVerb(args);
  let output = '';
  parser.parse(args, {}, (error, _argv, text) => {
    if (error) throw error;
    output = text;
  });
  if (selected) return { kind: 'verb', command: selected.command, argv: { ...selected.argv, ...connection } };
  return { kind: 'output', text: output.endsWith('\n') || output === '' ? output : `${output}\n` };
}

/** ' enable' when the arguments name a verb, for the help hint; '' otherwise. */
function verbOf(args: string[]): string {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') return '';
    if (arg.startsWith('-')) {
      if (VALUE_FLAGS.has(arg)) index++;
      continue;
    }
    return VERBS.some((command) => verbName(command) === arg) ? ` ${arg}` : '';
  }
  return '';
}

/** Strict mode would report an unknown verb as "Unknown argument"; name it as a verb instead. */
function rejectUnknownVerb(args: string[]): void {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') return;
    if (arg.startsWith('-')) {
      if (VALUE_FLAGS.has(arg)) index++;
      continue;
    }
    if (!VERBS.some((command) => verbName(command) === arg)) {
      throw new UsageError(`unknown verb "${arg}": expected one of ${VERBS.map(verbName).join(', ')}`);
    }
    return;
  }
}

/**
 * After running a verb's handler, yargs renders that verb's whole help and keeps it for a
 * later showHelp(), which this CLI never calls (help comes from the parse callback, and a
 * handler only records the verb): two thirds of a verb's parse time, measured. Not done.
 */
function skipHelpCache(parser: Argv): void {
  const internals = (parser as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internals?.getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

function oneLine(message: string | null | undefined): string {
  return (message ?? 'invalid command line').replace(/\s*\n\s*/g, '; ');
}
