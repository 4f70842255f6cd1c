// Flags shared by the verbs that plan changes: enable and diff (plan), enable and disable (writes).
import type { Argv } from 'yargs';
import { lastValue, parseChoice, parseComponents, parseCount, parseDuration, parsePools, parsePositiveNumber } from './values.ts';
import { UsageError } from './errors.ts';
import { yargsOption, type ParsedArgs } from './global-flags.ts';
import type { FlagSpec } from '../kube/flags.ts';
import { DRY_RUN_MODES, type PlanOptions, type WriteCommandOptions, type GlobalOptions } from '../verbs/options.ts';

export const COMPONENTS_POSITIONAL = {
  describe: 'cilium-operator, coredns, metrics-server or all (several allowed)',
  type: 'string',
  array: true,
} as const;

export function addPlanFlags(parser: Argv): Argv {
  return parser
    .option('replicas', { type: 'string', describe: 'cilium-operator replicas (default: as last enabled, else 3)' })
    .option('pools', { type: 'string', describe: 'Pin the HA copies to these node pools (comma-separated); "" removes the pinning' })
    .option('unpin', { type: 'boolean', default: false, describe: 'Remove the pool pinning (same as --pools "")' })
    .option('cores-per-replica', { type: 'string', describe: 'coredns autoscaler: one replica per this many cores (default: as last enabled, else 256)' })
    .option('nodes-per-replica', { type: 'string', describe: 'coredns autoscaler: one replica per this many nodes (default: as last enabled, else 16)' })
    .option('min-replicas', { type: 'string', describe: 'coredns autoscaler minimum (default: as last enabled, else the number of zones, up to 3)' })
    .option('max-replicas', { type: 'string', describe: 'coredns autoscaler maximum (default: as last enabled, else none)' })
    .option('force', { type: 'boolean', default: false, describe: 'Go on when the cluster does not look like Kapsule, has a single zone, or has too few nodes for cilium-operator' });
}

export const DRY_RUN_FLAG: FlagSpec = { name: 'dry-run', type: 'string', choices: DRY_RUN_MODES, describe: 'none (default), client (print the plan) or server (send with dryRun=All)' };

export function addWriteFlags(parser: Argv): Argv {
  return parser
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation' })
    .option(DRY_RUN_FLAG.name, yargsOption(DRY_RUN_FLAG, false))
    .option('timeout', { type: 'string', default: '5m', describe: 'Limit of every wait (0 = none); exit 124 when it expires' });
}

export function planOptionsFrom(argv: ParsedArgs, global: GlobalOptions, components: 'all' | 'required'): PlanOptions {
  const minReplicas = optionalCount(argv, 'min-replicas');
  const maxReplicas = optionalCount(argv, 'max-replicas');
  if (minReplicas !== undefined && maxReplicas !== undefined && maxReplicas < minReplicas) {
    throw new UsageError(`--max-replicas (${maxReplicas}) is below --min-replicas (${minReplicas})`);
  }
  return {
    ...global,
    components: parseComponents(argv.components, components),
    replicas: optionalCount(argv, 'replicas'),
    pools: parsePools(lastValue(argv.pools), argv.unpin === true),
    coresPerReplica: optionalPositive(argv, 'cores-per-replica'),
    nodesPerReplica: optionalPositive(argv, 'nodes-per-replica'),
    minReplicas,
    maxReplicas,
    force: argv.force === true,
  };
}

export function writeOptionsFrom(argv: ParsedArgs): WriteCommandOptions {
  // A bare --dry-run means client, as it did in kubectl.
  const given = lastValue(argv['dry-run']);
  const dryRun = given === undefined ? 'none' : String(given);
  return {
    yes: argv.yes === true,
    dryRun: parseChoice('dry-run', dryRun === '' ? 'client' : dryRun, DRY_RUN_MODES),
    timeoutMs: parseDuration('timeout', lastValue(argv.timeout)),
  };
}

function optionalPositive(argv: ParsedArgs, flag: string): number | undefined {
  const value = lastValue(argv[flag]);
  return value === undefined ? undefined : parsePositiveNumber(flag, value);
}

function optionalCount(argv: ParsedArgs, flag: string): number | undefined {
  const value = lastValue(argv[flag]);
  return value === undefined ? undefined : parseCount(flag, value, 1);
}
