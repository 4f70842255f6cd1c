import { defineVerb, withExamples } from '../command.ts';
import { addOutputFlag, globalOptionsFrom } from '../global-flags.ts';
import { COMPONENTS_POSITIONAL } from '../plan-flags.ts';
import { parseComponents } from '../values.ts';
import type { CheckDriftOptions } from '../../verbs/options.ts';
import type { FleetOptions } from '../../verbs/fleet-types.ts';
import { addFleetFlags, fleetSelectionFrom } from '../fleet-flags.ts';

export const checkDriftCommand = defineVerb<CheckDriftOptions & FleetOptions>({
  usage: 'check-drift [components..]',
  describe: 'Compare the HA copies with the originals after a Kapsule upgrade; exit 1 on drift',
  builder: (parser) =>
    withExamples(addFleetFlags(addOutputFlag(parser.positional('components', COMPONENTS_POSITIONAL))), [
      ['Check every component after a cluster upgrade', 'check-drift'],
      ['Check coredns in a CI job, as JSON', 'check-drift coredns -o json'],
      ['Check every cluster of the kubeconfig, 8 at a time', 'check-drift --all-contexts'],
      ['Check the production clusters as one JSON document', 'check-drift --contexts "prod-*" -o json'],
    ]),
  options: (argv) => ({ ...globalOptionsFrom(argv), components: parseComponents(argv.components, 'all'), fleet: fleetSelectionFrom(argv) }),
  run: async (options, deps) => (await import('../../verbs/check-drift.ts')).run(options, deps),
});
