import { defineVerb, withExamples } from '../command.ts';
import { addRefusedFleetFlags, refuseFleetFlags } from '../fleet-flags.ts';
import { addOutputFlag, globalOptionsFrom } from '../global-flags.ts';
import { addPlanFlags, addWriteFlags, COMPONENTS_POSITIONAL, planOptionsFrom, writeOptionsFrom } from '../plan-flags.ts';
import type { EnableOptions } from '../../verbs/options.ts';

export const enableCommand = defineVerb<EnableOptions>({
  usage: 'enable [components..]',
  describe: 'Make components highly available (idempotent: re-run to resync or change options)',
  builder: (parser) =>
    withExamples(addRefusedFleetFlags(addOutputFlag(addWriteFlags(addPlanFlags(parser.positional('components', COMPONENTS_POSITIONAL))))), [
      ['Make every component highly available, without a prompt', 'enable all --yes'],
      ['Show the plan for coredns and write nothing', 'enable coredns --dry-run=client'],
      ['Pin the HA copies of coredns and metrics-server to two pools', 'enable coredns metrics-server --pools default,infra'],
      ['Run cilium-operator with 5 replicas', 'enable cilium-operator --replicas 5'],
    ]),
  options: (argv) => {
    refuseFleetFlags(argv, 'enable');
    const global = globalOptionsFrom(argv);
    return { ...planOptionsFrom(argv, global, 'required'), ...writeOptionsFrom(argv) };
  },
  run: async (options, deps) => (await import('../../verbs/enable.ts')).run(options, deps),
});
