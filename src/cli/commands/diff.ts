import { defineVerb, withExamples } from '../command.ts';
import { globalOptionsFrom } from '../global-flags.ts';
import { addPlanFlags, COMPONENTS_POSITIONAL, planOptionsFrom } from '../plan-flags.ts';
import type { DiffOptions } from '../../verbs/options.ts';
import type { FleetOptions } from '../../verbs/fleet-types.ts';
import { addFleetFlags, fleetSelectionFrom } from '../fleet-flags.ts';

export const diffCommand = defineVerb<DiffOptions & FleetOptions>({
  usage: 'diff [components..]',
  describe: 'Show what enable (or disable) would change, as a YAML diff; exit 1 when it would change something',
  builder: (parser) =>
    withExamples(
      addFleetFlags(addPlanFlags(parser.positional('components', COMPONENTS_POSITIONAL))).option('disable', {
        type: 'boolean',
        default: false,
        describe: 'Show what disable would do instead',
      }),
      [
        ['Show what enable all would change', 'diff'],
        ['Show the change of pinning coredns to the pool "default"', 'diff coredns --pools default'],
        ['Show what disable would remove', 'diff all --disable'],
        ['Show what enable would change on every staging cluster', 'diff --contexts "staging-*"'],
      ],
    ),
  options: (argv) => ({ ...planOptionsFrom(argv, globalOptionsFrom(argv), 'all'), disable: argv.disable === true, fleet: fleetSelectionFrom(argv) }),
  run: async (options, deps) => (await import('../../verbs/diff.ts')).run(options, deps),
});
