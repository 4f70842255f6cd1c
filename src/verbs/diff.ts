// Stub: the behaviour of `diff` comes with its own issue.
import { NotImplementedError } from '../cli/errors.ts';
import type { DiffOptions, VerbDeps } from './options.ts';

export async function run(_options: DiffOptions, _deps: VerbDeps): Promise<number | void> {
  throw new NotImplementedError('diff');
}
