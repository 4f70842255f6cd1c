import { defineVerb, withExamples } from '../command.ts';
import { globalOptionsFrom } from '../global-flags.ts';
import { parseChoice } from '../values.ts';
import { UsageError } from '../../kube/exit-codes.ts';
import type { GlobalOptions } from '../../verbs/options.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

export interface CompletionOptions extends GlobalOptions {
  shell: (typeof SHELLS)[number];
}

export const completionCommand = defineVerb<CompletionOptions>({
  usage: 'completion [shell]',
  describe: 'Print a shell completion script for kubectl-kapsule_ha (bash, zsh or fish)',
  builder: (parser) =>
    withExamples(parser.positional('shell', { type: 'string', describe: 'bash, zsh or fish' }), [
      ['Complete in the current bash session', 'completion bash | source /dev/stdin'],
      ['Install for zsh (a folder on your fpath)', 'completion zsh > ~/.zfunc/_kubectl-kapsule_ha'],
      ['Install for fish', 'completion fish > ~/.config/fish/completions/kubectl-kapsule_ha.fish'],
    ]),
  options: (argv) => ({ ...globalOptionsFrom(argv), shell: parseShell(argv.shell) }),
  run: async (options, deps) => (await import('../completion/scripts.ts')).run(options, deps),
});

function parseShell(value: unknown): CompletionOptions['shell'] {
  if (value === undefined) throw new UsageError(`name a shell: ${SHELLS.join(', ')}`);
  return parseChoice('shell', value, SHELLS);
}
