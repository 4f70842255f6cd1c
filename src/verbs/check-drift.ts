// Stub: the behaviour of `check-drift` comes with its own issue.
import { NotImplementedError } from '../cli/errors.ts';
import type { CheckDriftOptions, VerbDeps } from './options.ts';

export async function run(_options: CheckDriftOptions, _deps: VerbDeps): Promise<number | void> {
  throw new NotImplementedError('check-drift');
}
