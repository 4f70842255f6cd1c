import { defineVerb, withExamples } from '../command.ts';
import { addOutputFlag, globalOptionsFrom } from '../global-flags.ts';
import type { VersionOptions } from '../version-info.ts';

export const versionCommand = defineVerb<VersionOptions>({
  usage: 'version',
  describe: 'Print the plugin version (--client=false: the cluster version too)',
  builder: (parser) =>
    withExamples(
      addOutputFlag(parser)
        // --server is kubectl's global flag (the API server's address), so the cluster's
        // version is asked for as kubectl's own default is: --client=false.
        .option('client', { type: 'boolean', default: true, describe: 'Print the client version only (the default); --client=false: the cluster version too' }),
      [
        ['Print the plugin version', 'version'],
        ['Print the plugin and cluster versions as JSON', 'version --client=false -o json'],
      ],
    ),
  options: (argv) => ({ ...globalOptionsFrom(argv), server: argv.client === false }),
  run: async (options, deps) => (await import('../version-info.ts')).run(options, deps),
});
