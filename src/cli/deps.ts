// Builds what a verb receives besides its options. The cluster client is created on
// first use only, so verbs that never call deps.kube() never load client-node.
import { makeLogger, type Io } from './io.ts';
import { useColor } from './global-flags.ts';
import type { GlobalOptions, VerbDeps } from '../verbs/options.ts';
import type { KubeClient } from '../kube/types.ts';

export function makeDeps(options: GlobalOptions, io: Io, signal: AbortSignal): VerbDeps {
  const log = makeLogger(io, options.verbosity);
  let client: Promise<KubeClient> | undefined;
  return {
    io,
    log,
    signal,
    color: useColor(options.color, io.env, io.stdoutIsTTY),
    kube: () => (client ??= import('../kube/connect.ts').then((module) => module.connect(options, { log, env: io.env, signal, stdinIsTTY: io.stdinIsTTY }))),
  };
}
