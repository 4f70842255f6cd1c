// Flags every verb accepts, named and behaving as kubectl's (kubectl options).
import type { Argv } from 'yargs';
import { UsageError } from './errors.ts';
import { lastValue } from './command.ts';
import { parseChoice, parseCount, parseDuration } from './values.ts';
import { COLOR_MODES, OUTPUT_FORMATS, type GlobalOptions, type OutputFormat } from '../verbs/options.ts';
import type { ConnectionFlags } from '../kube/kubeconfig-overrides.ts';

export type ParsedArgs = Record<string, unknown>;

/** `connection: false`: kubectl's connection flags were taken out of the line beforehand (see below). */
export function addGlobalFlags<T>(parser: Argv<T>, { connection = true } = {}): Argv<T> {
  return (connection ? addConnectionFlags(parser) : parser)
    .option('kubeconfig', { type: 'string', describe: 'Path to the kubeconfig file (default: KUBECONFIG, then ~/.kube/config)', global: true })
    .option('context', { type: 'string', describe: 'The kubeconfig context to use', global: true })
    .option('cluster', { type: 'string', describe: 'The kubeconfig cluster to use', global: true })
    .option('user', { type: 'string', describe: 'The kubeconfig user to use', global: true })
    .option('namespace', { alias: 'n', type: 'string', default: 'kube-system', describe: 'Namespace of the components', global: true })
    .option('request-timeout', { type: 'string', default: '0', describe: 'Time limit of one API request, retries included (e.g. 30s; 0 = none)', global: true })
    .option('v', { alias: 'verbosity', type: 'number', default: 0, requiresArg: true, describe: 'Log level: 1 stack traces, 6 requests, 8 bodies', global: true })
    .option('color', { type: 'string', default: 'auto', describe: 'Colour output: auto, always or never (NO_COLOR honoured)', global: true });
}

/** kubectl's connection and impersonation flags (the block at the end of this file). */
const CONNECTION_FLAGS = ['server', 'token', 'certificate-authority', 'insecure-skip-tls-verify', 'tls-server-name', 'client-certificate', 'client-key', 'username', 'password', 'as', 'as-group', 'as-uid'];
/** Connection flags that take a value, for the parser's look for the verb (parse.ts). */
export const CONNECTION_VALUE_FLAGS = ['-s', ...CONNECTION_FLAGS.filter((name) => name !== 'insecure-skip-tls-verify').map((name) => `--${name}`)];

export const GLOBAL_FLAGS = ['kubeconfig', 'context', 'cluster', 'user', 'namespace', 'request-timeout', 'v', 'color', 'help', ...CONNECTION_FLAGS];

/** Help lists a verb's own flags first, then the global ones (yargs prints groups in order). */
export function groupFlags(parser: Argv): Argv {
  const options = (parser as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  const aliases = new Set(Object.values(options.alias).flat());
  const own = Object.keys(options.key).filter((name) => !GLOBAL_FLAGS.includes(name) && !aliases.has(name) && name !== 'version' && name !== 'components' && name !== 'shell' && name !== 'action');
  const global = GLOBAL_FLAGS.filter((name) => name in options.key);
  return (own.length > 0 ? parser.group(own, 'Flags:') : parser).group(global, 'Global flags:');
}

/** -o for verbs that print data. */
export function addOutputFlag<T>(parser: Argv<T>): Argv<T> {
  return parser.option('output', { alias: 'o', type: 'string', default: 'text', describe: 'Output format: text, json or yaml' });
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


function addConnectionFlags<T>(parser: Argv<T>): Argv<T> {
  const text = (describe: string) => ({ type: 'string' as const, describe, global: true });
  return parser
    .option('server', { alias: 's', ...text('The address of the API server (kubeconfig not needed)') })
    .option('token', text('Bearer token for the API server'))
    .option('certificate-authority', text("Path to the API server's CA certificate file"))
    .option('insecure-skip-tls-verify', { type: 'boolean', describe: "Do not check the server's certificate (insecure)", global: true })
    .option('tls-server-name', text("Name to check the server's certificate against (default: the server's host)"))
    .option('client-certificate', text('Path to a client certificate file for TLS'))
    .option('client-key', text('Path to a client key file for TLS'))
    .option('username', text('Username for basic authentication'))
    .option('password', text('Password for basic authentication'))
    .option('as', text('Username to impersonate for the operation'))
    .option('as-group', { type: 'string', array: true, describe: 'Group to impersonate (repeat for several)', global: true })
    .option('as-uid', text('UID to impersonate for the operation'));
}

/** What help says of them (as kubectl points to `kubectl options` rather than listing them). */
export const CONNECTION_HELP = "kubectl's connection flags work as in kubectl: -s/--server, --token, --certificate-authority, --insecure-skip-tls-verify, --tls-server-name, --client-certificate, --client-key, --username, --password, --as, --as-group, --as-uid (README: Global flags).";

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
  const valueFlags = new Set(CONNECTION_VALUE_FLAGS);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      rest.push(...args.slice(index));
      break;
    }
    const [flag, inline] = arg.startsWith('-') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--insecure-skip-tls-verify') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') throw new UsageError(`invalid value "${inline}" for --insecure-skip-tls-verify: expected true or false`);
      values['insecure-skip-tls-verify'] = inline !== 'false';
      continue;
    }
    if (!valueFlags.has(flag)) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? args[++index];
    if (value === undefined) throw new UsageError(`flag needs an argument: ${flag}`);
    const name = flag === '-s' ? 'server' : flag.slice(2);
    values[name] = name === 'as-group' ? [...((values[name] as string[] | undefined) ?? []), value] : value;
  }
  return { args: rest, values };
}

function connectionFlagsFrom(argv: ParsedArgs): ConnectionFlags | undefined {
  const value = (flag: string) => {
    const given = optionalString(argv[flag], flag);
    if (given === '') throw new UsageError(`--${flag} must not be empty`);
    return given;
  };
  const groups = argv['as-group'] === undefined ? undefined : [argv['as-group']].flat(2).map(String);
  if (groups?.some((group) => group === '')) throw new UsageError('--as-group must not be empty');
  const flags: ConnectionFlags = {
    server: value('server'),
    token: value('token'),
    certificateAuthority: value('certificate-authority'),
    insecureSkipTlsVerify: argv['insecure-skip-tls-verify'] === undefined ? undefined : lastValue(argv['insecure-skip-tls-verify']) === true,
    tlsServerName: value('tls-server-name'),
    clientCertificate: value('client-certificate'),
    clientKey: value('client-key'),
    username: value('username'),
    password: value('password'),
    as: value('as'),
    asGroups: groups,
    asUid: value('as-uid'),
  };
  return Object.values(flags).some((given) => given !== undefined) ? flags : undefined;
}
