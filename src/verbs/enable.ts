import { converge } from './converge.ts';
import type { EnableOptions, VerbDeps } from './options.ts';

export const run = (options: EnableOptions, deps: VerbDeps): Promise<number> => converge('enable', options, deps);
