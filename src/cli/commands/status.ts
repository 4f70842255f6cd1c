import { defineVerb, withExamples } from '../command.ts';
import { addOutputFlag, globalOptionsFrom } from '../global-flags.ts';
import { COMPONENTS_POSITIONAL } from '../plan-flags.ts';
import { parseComponents } from '../values.ts';
import type { StatusOptions } from '../../verbs/options.ts';
import type { FleetOptions } from '../../verbs/fleet-types.ts';
import { addFleetFlags, fleetSelectionFrom } from '../fleet-flags.ts';

export const statusCommand = defineVerb<StatusOptions & FleetOptions>({
  usage: 'status [components..]',
  describe: 'Show how highly available each component is: replicas, zones, PDB, pinning, findings',
  builder: (parser) =>
    withExamples(addFleetFlags(addOutputFlag(parser.positional('components', COMPONENTS_POSITIONAL))), [
      ['Show every component', 'status'],
      ['Show coredns as YAML', 'status coredns -o yaml'],
      ['Show three clusters, then one summary table', 'status --contexts prod-par,prod-ams,staging'],
    ]),
  options: (argv) => ({ ...globalOptionsFrom(argv), components: parseComponents(argv.components, 'all'), fleet: fleetSelectionFrom(argv) }),
  run: async (options, deps) => (await import('../../verbs/status.ts')).run(options, deps),
});
