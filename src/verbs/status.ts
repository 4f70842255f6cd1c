// Stub: the behaviour of `status` comes with its own issue.
import { NotImplementedError } from '../cli/errors.ts';
import type { StatusOptions, VerbDeps } from './options.ts';

export async function run(_options: StatusOptions, _deps: VerbDeps): Promise<number | void> {
  throw new NotImplementedError('status');
}
