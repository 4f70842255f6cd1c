import { converge } from './converge.ts';
import type { DisableOptions, VerbDeps } from './options.ts';

export const run = (options: DisableOptions, deps: VerbDeps): Promise<number> => converge('disable', options, deps);
