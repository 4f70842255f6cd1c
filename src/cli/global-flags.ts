// Flags every verb accepts, named and behaving as kubectl's (kubectl options).
import type { Argv, Options } from 'yargs';
import { UsageError } from '../kube/exit-codes.ts';
import { lastValue, parseChoice, parseCount, parseDuration } from './values.ts';
import { COLOR_MODES, OUTPUT_FORMATS, type GlobalOptions, type OutputFormat } from '../verbs/options.ts';
import type { ConnectionFlags } from '../kube/kubeconfig-types.ts';
import { CONNECTION_FLAGS, flagForms, type ConnectionFlagSpec, type FlagSpec } from '../kube/flags.ts';

export type ParsedArgs = Record<string, unknown>;

/**
 * The flags every verb accepts, in help's order: the plugin's own, then kubectl's connection
 * flags (their table is the kube layer's, which applies them to the kubeconfig). yargs'
 * options, the pre-parser, help, completion and the parser's look for the verb are all
 * built from this one list.
 */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', describe: 'Path to the kubeconfig file (default: KUBECONFIG, then ~/.kube/config)' },
  { name: 'context', type: 'string', describe: 'The kubeconfig context to use' },
  { name: 'cluster', type: 'string', describe: 'The kubeconfig cluster to use' },
  { name: 'user', type: 'string', describe: 'The kubeconfig user to use' },
  { name: 'namespace', alias: 'n', type: 'string', default: 'kube-system', describe: 'Namespace of the components' },
  { name: 'request-timeout', type: 'string', default: '0', describe: 'Time limit of one API request, retries included (e.g. 30s; 0 = none)' },
  { name: 'v', alias: 'verbosity', type: 'number', default: 0, describe: 'Log level: 1 stack traces, 6 requests, 8 bodies' },
  { name: 'color', type: 'string', default: 'auto', choices: COLOR_MODES, describe: 'Colour output: auto, always or never (NO_COLOR honoured)' },
  ...CONNECTION_FLAGS,
];

/** -o, for verbs that print data. */
export const OUTPUT_FLAG: FlagSpec = { name: 'output', alias: 'o', type: 'string', default: 'text', choices: OUTPUT_FORMATS, describe: 'Output format: text, json or yaml' };

/** A flag of the table as a yargs option. */
export function yargsOption(spec: FlagSpec, global: boolean): Options {
  return {
    type: spec.type === 'strings' ? 'string' : spec.type,
    describe: spec.describe,
    ...(spec.alias ? { alias: spec.alias } : {}),
    ...(spec.default !== undefined ? { default: spec.default } : {}),
    ...(spec.type === 'strings' ? { array: true } : {}),
    ...(spec.type === 'number' ? { requiresArg: true } : {}),
    ...(global ? { global: true } : {}),
  };
}

const isConnectionFlag = (spec: FlagSpec): boolean => CONNECTION_FLAGS.includes(spec as ConnectionFlagSpec);

/** `connection: false`: kubectl's connection flags were taken out of the line beforehand (takeConnectionFlags). */
export function addGlobalFlags<T>(parser: Argv<T>, { connection = true } = {}): Argv<T> {
  let withFlags = parser;
  for (const spec of GLOBAL_FLAGS) {
    if (connection || !isConnectionFlag(spec)) withFlags = withFlags.option(spec.name, yargsOption(spec, true));
  }
  return withFlags;
}

/** Flags that take a value, as written (--context, -n...): the parser's look for the verb skips their values (parse.ts). */
export const VALUE_FLAGS: ReadonlySet<string> = new Set(GLOBAL_FLAGS.filter((spec) => spec.type !== 'boolean').flatMap(flagForms));

/** Help's group of global flags, in the table's order, help after the plugin's own. */
const GLOBAL_FLAG_NAMES = [...GLOBAL_FLAGS.filter((spec) => !isConnectionFlag(spec)).map((spec) => spec.name), 'help', ...CONNECTION_FLAGS.map((spec) => spec.name)];

/** Help lists a verb's own flags first, then the global ones (yargs prints groups in order). */
export function groupFlags(parser: Argv): Argv {
  const options = (parser as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  const aliases = new Set(Object.values(options.alias).flat());
  const own = Object.keys(options.key).filter((name) => !GLOBAL_FLAG_NAMES.includes(name) && !aliases.has(name) && name !== 'version' && name !== 'components' && name !== 'shell' && name !== 'action');
  const global = GLOBAL_FLAG_NAMES.filter((name) => name in options.key);
  return (own.length > 0 ? parser.group(own, 'Flags:') : parser).group(global, 'Global flags:');
}

export function addOutputFlag<T>(parser: Argv<T>): Argv<T> {
  return parser.option(OUTPUT_FLAG.name, yargsOption(OUTPUT_FLAG, false));
}

export function globalOptionsFrom(argv: ParsedArgs): GlobalOptions {
  const verbosity = parseCount('v', lastValue(argv.v), 0);
  const namespace = String(lastValue(argv.namespace));
  if (namespace === '') throw new UsageError('--namespace must not be empty');
  return {
    kubeconfig: optionalString(argv.kubeconfig, 'kubeconfig'),
    context: optionalString(argv.context, 'context'),
    cluster: optionalString(argv.cluster, 'cluster'),
    user: optionalString(argv.user, 'user'),
    connection: connectionFlagsFrom(argv),
    namespace,
    requestTimeoutMs: parseDuration('request-timeout', lastValue(argv['request-timeout'])),
    verbosity,
    color: parseChoice('color', lastValue(argv.color), COLOR_MODES),
    output: argv.output === undefined ? 'text' : parseChoice<OutputFormat>('output', lastValue(argv.output), OUTPUT_FORMATS),
  };
}

function optionalString(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return optionalString(value.at(-1), flag);
  return String(value);
}

/** --color against NO_COLOR (https://no-color.org) and the terminal. */
export function useColor(mode: GlobalOptions['color'], env: Readonly<Record<string, string | undefined>>, stdoutIsTTY: boolean): boolean {
  if (mode !== 'auto') return mode === 'always';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stdoutIsTTY && env.TERM !== 'dumb';
}

// ---- kubectl's connection and impersonation flags (override the kubeconfig, as kubectl's) ----

/** What help says of them (as kubectl points to `kubectl options` rather than listing them). */
export const CONNECTION_HELP = `kubectl's connection flags work as in kubectl: ${CONNECTION_FLAGS.map((spec) => flagForms(spec).reverse().join('/')).join(', ')} (README: Global flags).`;

/**
 * Takes kubectl's connection flags out of the command line before yargs sees it (as
 * pflag reads them: `--flag value`, `--flag=value`, `-s value`, `-s=value`, a bare or
 * `=true|false` boolean, repeatable --as-group), so that yargs need not register twelve
 * more options on every start-up (measured: ~10 ms of CPU for `version`, more for
 * `--help`). Completion registers them as options, to offer them.
 */
export function takeConnectionFlags(args: string[]): { args: string[]; values: ParsedArgs } {
  const rest: string[] = [];
  const values: ParsedArgs = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      rest.push(...args.slice(index));
      break;
    }
    const [flag, inline] = arg.startsWith('-') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const spec = CONNECTION_FLAG_FORMS.get(flag);
    if (!spec) {
      rest.push(arg);
      continue;
    }
    if (spec.type === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') throw new UsageError(`invalid value "${inline}" for --${spec.name}: expected true or false`);
      values[spec.name] = inline !== 'false';
      continue;
    }
    const value = inline ?? args[++index];
    if (value === undefined) throw new UsageError(`flag needs an argument: ${flag}`);
    values[spec.name] = spec.type === 'strings' ? [...((values[spec.name] as string[] | undefined) ?? []), value] : value;
  }
  return { args: rest, values };
}

const CONNECTION_FLAG_FORMS = new Map<string, ConnectionFlagSpec>(CONNECTION_FLAGS.flatMap((spec) => flagForms(spec).map((form) => [form, spec] as const)));

function connectionFlagsFrom(argv: ParsedArgs): ConnectionFlags | undefined {
  const flags: Record<string, unknown> = {};
  for (const spec of CONNECTION_FLAGS) {
    const given = argv[spec.name];
    if (given === undefined) continue;
    if (spec.type === 'boolean') {
      flags[spec.key] = lastValue(given) === true;
      continue;
    }
    const values = spec.type === 'strings' ? [given].flat(2).map(String) : [optionalString(given, spec.name)!];
    if (values.some((value) => value === '')) throw new UsageError(`--${spec.name} must not be empty`);
    flags[spec.key] = spec.type === 'strings' ? values : values[0];
  }
  return Object.keys(flags).length > 0 ? (flags as ConnectionFlags) : undefined;
}
