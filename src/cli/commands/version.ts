import { defineVerb, withExamples } from '../command.ts';
import { addOutputFlag, globalOptionsFrom } from '../global-flags.ts';
import type { GlobalOptions } from '../../verbs/options.ts';

export interface VersionOptions extends GlobalOptions {
  /** Also ask the cluster for its version (off by default: `version` works offline). */
  server: boolean;
}

export const versionCommand = defineVerb<VersionOptions>({
  usage: 'version',
  describe: 'Print the plugin version (--server: the cluster version too)',
  builder: (parser) =>
    withExamples(
      addOutputFlag(parser)
        .option('client', { type: 'boolean', default: true, describe: 'Print the client version only (the default)' })
        .option('server', { type: 'boolean', default: false, describe: 'Also print the version of the cluster' }),
      [
        ['Print the plugin version', 'version'],
        ['Print the plugin and cluster versions as JSON', 'version --server -o json'],
      ],
    ),
  options: (argv) => ({ ...globalOptionsFrom(argv), server: argv.server === true }),
  run: async (options, deps) => (await import('../version-info.ts')).run(options, deps),
});
