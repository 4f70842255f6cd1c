import { defineVerb, withExamples } from '../command.ts';
import { lastValue } from '../values.ts';
import { addRefusedFleetFlags, refuseFleetFlags } from '../fleet-flags.ts';
import { addOutputFlag, globalOptionsFrom, type ParsedArgs } from '../global-flags.ts';
import { addWriteFlags, writeOptionsFrom } from '../plan-flags.ts';
import { UsageError } from '../../kube/exit-codes.ts';
import { cronProblem } from '../../recipes/cron.ts';
import { GUARD_ACTIONS, type GuardOptions } from '../../verbs/options.ts';

export const guardCommand = defineVerb<GuardOptions>({
  usage: 'guard [action]',
  describe: 'Install, show, change or remove the in-cluster guard that runs check-drift on a schedule',
  builder: (parser) =>
    withExamples(
      addRefusedFleetFlags(
        addOutputFlag(
          addWriteFlags(
            parser
              .positional('action', { type: 'string', describe: 'show (default), install, diff, remove; run is what the guard itself runs' })
              .option('schedule', { type: 'string', describe: 'When the guard runs, a cron expression (default: as installed, else "*/30 * * * *")' })
              .option('image', { type: 'string', describe: "The guard's image, e.g. a private mirror (default: this version's, or the mirror installed)" })
              .option('repair', { type: 'boolean', describe: 'Repair drift by re-running enable with its last settings (default: as installed, else check only)' }),
          ),
        ),
      ),
      [
        ['Install the guard: check-drift every 30 minutes, Warning Events and exit 1 on drift', 'guard install --yes'],
        ['Show the guard and its last result', 'guard'],
        ['Let the guard repair drift, every 10 minutes', 'guard install --repair --schedule "*/10 * * * *"'],
        ['Run it from a private registry', 'guard install --image registry.example.com/mirror/kubectl-kapsule-ha:v0.1.0'],
        ['Show what install would change', 'guard diff'],
        ['Remove the guard and everything it created', 'guard remove --yes'],
      ],
    ),
  options: (argv) => {
    refuseFleetFlags(argv, 'guard');
    const action = parseAction(argv.action);
    const schedule = optionalString(argv, 'schedule');
    const image = optionalString(argv, 'image');
    const repair = argv.repair === undefined ? undefined : lastValue(argv.repair) === true;
    if (schedule !== undefined) {
      const problem = cronProblem(schedule);
      if (problem) throw new UsageError(`invalid value "${schedule}" for --schedule: ${problem}`);
    }
    if (image !== undefined && !/^[^\s:@/][^\s]*$/.test(image)) throw new UsageError(`invalid value "${image}" for --image: expected an image reference such as registry.example.com/kubectl-kapsule-ha:v1`);
    const setsSomething = schedule !== undefined || image !== undefined || repair !== undefined;
    if (setsSomething && action !== 'install' && action !== 'diff' && !(action === 'run' && image === undefined && schedule === undefined)) {
      throw new UsageError(`--schedule, --image and --repair go with "guard install" or "guard diff", not "guard ${action}"`);
    }
    return { ...globalOptionsFrom(argv), ...writeOptionsFrom(argv), action, schedule, image, repair };
  },
  run: async (options, deps) => (await import('../../verbs/guard.ts')).run(options, deps),
});

function parseAction(value: unknown): GuardOptions['action'] {
  const action = String(lastValue(value) ?? 'show');
  if (!(GUARD_ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown guard action "${action}": expected show, install, diff or remove`);
  return action as GuardOptions['action'];
}

function optionalString(argv: ParsedArgs, flag: string): string | undefined {
  const value = lastValue(argv[flag]);
  return value === undefined ? undefined : String(value);
}
