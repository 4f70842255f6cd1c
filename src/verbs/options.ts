// The contract between the CLI shell and the verbs: every verb exports
// `run(options, deps): Promise<number | undefined>` (the exit code; undefined means 0) and sees
// only these values, never yargs' argv. Flags are validated before run() is called.
import type { Logger } from '../kube/types.ts';
import type { Io } from './io.ts';
import type { KubeClient } from '../kube/types.ts';
import type { ConnectionOptions } from '../kube/kubeconfig-types.ts';

// One list of components, the engine's (a light module: no runtime imports).
export { COMPONENTS, type Component } from '../engine/types.ts';
import type { Component } from '../engine/types.ts';

export const OUTPUT_FORMATS = ['text', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DRY_RUN_MODES = ['none', 'client', 'server'] as const;
export type DryRun = (typeof DRY_RUN_MODES)[number];

export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

/** The global flags: the connection's (kube's own type), and how the plugin reads and writes. */
export interface GlobalOptions extends ConnectionOptions {
  /** -n/--namespace, default kube-system. */
  namespace: string;
  /** -v level: 1 stack traces, 6 requests, 8 request bodies, 9 response bodies. */
  verbosity: number;
  color: ColorMode;
  /** -o; 'text' for verbs without -o. */
  output: OutputFormat;
}

/** Components named on the command line, `all` expanded, in COMPONENTS order, no duplicates. */
export interface ComponentSelection {
  components: Component[];
}

/**
 * What `enable` converges to; shared with `diff`. An option left out keeps what the last
 * enable set (read back from the cluster), else its default: re-running `enable` after an
 * upgrade repairs drift without undoing earlier choices.
 */
export interface PlanOptions extends GlobalOptions, ComponentSelection {
  /** cilium-operator replicas; default 3. */
  replicas: number | undefined;
  /** --pools a,b: pin to these pools; [] (--pools "" or --unpin): remove pinning; undefined: leave as is. */
  pools: string[] | undefined;
  /** Autoscaler parameters (coredns); defaults 256 and 16. */
  coresPerReplica: number | undefined;
  nodesPerReplica: number | undefined;
  /** default: the number of zones, up to 3. */
  minReplicas: number | undefined;
  maxReplicas: number | undefined;
  /** Go on past the Kapsule check and the node-count check for cilium-operator. */
  force: boolean;
}

export interface WriteCommandOptions {
  /** --yes: no confirmation prompt. */
  yes: boolean;
  dryRun: DryRun;
  /** --timeout bounding every wait, default 5m; 0 = no limit. */
  timeoutMs: number;
}

export interface EnableOptions extends PlanOptions, WriteCommandOptions {}

export interface DisableOptions extends GlobalOptions, ComponentSelection, WriteCommandOptions {}

export interface DiffOptions extends PlanOptions {
  /** Show what `disable` would do instead of `enable`. */
  disable: boolean;
}

export interface CheckDriftOptions extends GlobalOptions, ComponentSelection {}

export interface StatusOptions extends GlobalOptions, ComponentSelection {}

export interface VerbDeps {
  io: Io;
  /** The cluster client, built on first call (loads client-node then), the same one after. */
  kube: () => Promise<KubeClient>;
  /** Aborted on the first Ctrl-C: stop at a safe point and throw InterruptedError. */
  signal: AbortSignal;
  log: Logger;
  /** --color resolved against NO_COLOR and whether stdout is a terminal. */
  color: boolean;
}

export type VerbRun<O> = (options: O, deps: VerbDeps) => Promise<number | undefined>;

export const GUARD_ACTIONS = ['show', 'install', 'diff', 'remove', 'run'] as const;
export type GuardAction = (typeof GUARD_ACTIONS)[number];

/** `guard [show|install|diff|remove|run]`; a setting left out keeps what the installed guard has. */
export interface GuardOptions extends GlobalOptions, WriteCommandOptions {
  action: GuardAction;
  /** --schedule, a valid cron expression (checked by the CLI). */
  schedule: string | undefined;
  /** --image; default this version's image, or the mirror already installed. */
  image: string | undefined;
  /** --repair / --repair=false. */
  repair: boolean | undefined;
}
