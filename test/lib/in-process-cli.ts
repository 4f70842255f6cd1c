// Runs the CLI in-process with the real yargs parser and a captured io.
import { runCli } from '../../src/cli/root.ts';
import { captureIo } from './capture-io.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], options: { env?: Record<string, string>; invokedAs?: string } = {}): Promise<CliResult> {
  const io = captureIo({ env: { HOME: '/nonexistent', ...options.env } });
  const code = await runCli(args, { io, invokedAs: options.invokedAs ?? '/usr/local/bin/kubectl-kapsule_ha', signal: new AbortController().signal });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}
