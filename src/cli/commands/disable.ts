import { defineVerb, withExamples } from '../command.ts';
import { addRefusedFleetFlags, refuseFleetFlags } from '../fleet-flags.ts';
import { addOutputFlag, globalOptionsFrom } from '../global-flags.ts';
import { addWriteFlags, COMPONENTS_POSITIONAL, writeOptionsFrom } from '../plan-flags.ts';
import { parseComponents } from '../values.ts';
import type { DisableOptions } from '../../verbs/options.ts';

export const disableCommand = defineVerb<DisableOptions>({
  usage: 'disable [components..]',
  describe: 'Return components to their original Kapsule form, with no gap in service',
  builder: (parser) =>
    withExamples(addRefusedFleetFlags(addOutputFlag(addWriteFlags(parser.positional('components', COMPONENTS_POSITIONAL)))), [
      ['Return every component to its original form', 'disable all --yes'],
      ['Show what disabling coredns would do, without writing', 'disable coredns --dry-run=client'],
    ]),
  options: (argv) => {
    refuseFleetFlags(argv, 'disable');
    return { ...globalOptionsFrom(argv), components: parseComponents(argv.components, 'required'), ...writeOptionsFrom(argv) };
  },
  run: async (options, deps) => (await import('../../verbs/disable.ts')).run(options, deps),
});
