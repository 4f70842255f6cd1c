import { defineVerb, withExamples } from '../command.ts';
import { addOutputFlag, globalOptionsFrom } from '../global-flags.ts';
import { COMPONENTS_POSITIONAL } from '../plan-flags.ts';
import { parseComponents } from '../values.ts';
import type { StatusOptions } from '../../verbs/options.ts';

export const statusCommand = defineVerb<StatusOptions>({
  usage: 'status [components..]',
  describe: 'Show how highly available each component is: replicas, zones, PDB, pinning, findings',
  builder: (parser) =>
    withExamples(addOutputFlag(parser.positional('components', COMPONENTS_POSITIONAL)), [
      ['Show every component', 'status'],
      ['Show coredns as YAML', 'status coredns -o yaml'],
    ]),
  options: (argv) => ({ ...globalOptionsFrom(argv), components: parseComponents(argv.components, 'all') }),
  run: async (options, deps) => (await import('../../verbs/status.ts')).run(options, deps),
});
