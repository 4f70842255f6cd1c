// The fleet flags of the read-only verbs (check-drift, status, diff): several kubeconfig
// contexts in one run. enable and disable refuse them: writes need a person per cluster.
import type { Argv } from 'yargs';
import { UsageError } from './errors.ts';
import { lastValue, parseCount, parseDuration } from './values.ts';
import type { ParsedArgs } from './global-flags.ts';
import type { FleetSelection } from '../verbs/fleet-types.ts';

export const FLEET_FLAGS = ['all-contexts', 'contexts', 'parallel', 'context-timeout'] as const;
export const DEFAULT_PARALLEL = 8;
export const DEFAULT_CONTEXT_TIMEOUT = '60s';

export function addFleetFlags<T>(parser: Argv<T>): Argv<T> {
  return parser
    .option('all-contexts', { type: 'boolean', describe: 'Run against every context of the kubeconfig, concurrently' })
    .option('contexts', { type: 'string', describe: 'Run against these contexts, concurrently: a,b,c; * and ? match (e.g. "prod-*")' })
    // No yargs defaults: a fleet-only flag given without a fleet flag is refused, not ignored.
    .option('parallel', { type: 'number', describe: `With --contexts/--all-contexts: clusters checked at once (default ${DEFAULT_PARALLEL})` })
    .option('context-timeout', { type: 'string', describe: `With --contexts/--all-contexts: time limit per cluster, e.g. 2m (default ${DEFAULT_CONTEXT_TIMEOUT}; 0 = none)` });
}

/** The flags taken (so that yargs' strict mode lets them through) only to refuse them in one line. */
export function addRefusedFleetFlags<T>(parser: Argv<T>): Argv<T> {
  return parser.option('all-contexts', { type: 'boolean', hidden: true }).option('contexts', { type: 'string', hidden: true });
}

export function refuseFleetFlags(argv: ParsedArgs, verb: string): void {
  if (argv['all-contexts'] !== undefined || argv.contexts !== undefined) {
    throw new UsageError(`${verb} works on one cluster at a time (writes need a person's attention per cluster): use --context instead of --contexts/--all-contexts`);
  }
}

/** undefined when neither --contexts nor --all-contexts is given (a normal, one-cluster run). */
export function fleetSelectionFrom(argv: ParsedArgs): FleetSelection | undefined {
  const all = lastValue(argv['all-contexts']) === true;
  const raw = argv.contexts;
  if (!all && raw === undefined) {
    for (const flag of ['parallel', 'context-timeout']) {
      if (argv[flag] !== undefined) throw new UsageError(`--${flag} applies to fleet runs only: add --contexts or --all-contexts`);
    }
    return undefined;
  }
  if (all && raw !== undefined) throw new UsageError('--all-contexts and --contexts contradict each other: give one');
  if (argv.context !== undefined) throw new UsageError('--context names one cluster; --contexts/--all-contexts name several: give one of them');
  for (const flag of ['cluster', 'user']) {
    if (argv[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with --contexts/--all-contexts: each context brings its own`);
  }
  const patterns = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .flatMap((value) => String(value).split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (!all && patterns.length === 0) throw new UsageError('--contexts needs at least one context name (a,b,c) or pattern ("prod-*")');
  return {
    patterns: all ? ['*'] : [...new Set(patterns)],
    parallel: parseCount('parallel', lastValue(argv.parallel ?? DEFAULT_PARALLEL), 1),
    contextTimeoutMs: parseDuration('context-timeout', lastValue(argv['context-timeout'] ?? DEFAULT_CONTEXT_TIMEOUT)),
  };
}
