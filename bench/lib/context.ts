// What every benchmark section gets: where things are, the simulator, how many rounds.
import type { Anchors } from './anchors.ts';
import type { Cluster } from './cluster.ts';

export interface Context {
  repo: string;
  /** A copy of dist/kubectl-kapsule_ha taken at the start: a rebuild in the shared checkout cannot pull it away mid-run. */
  plugin: string;
  /** Sizes in dist/ when the copy was taken. */
  dist: { binaryBytes: number; builtAt: Date; archives: { name: string; bytes: number; builtAt: Date }[] };
  cluster: Cluster;
  /** The kubectl binaries compared with: kubectl built alone (every ratio), the machine's own. */
  anchors: Anchors;
  /** BENCH_QUICK=1: fewer rounds, for a quick look. */
  quick: boolean;
  /** Progress on stderr. */
  log: (line: string) => void;
  /** Records a target for the summary; returns the table cell ("≤ 1.0× ✅ met"). */
  target: (item: string, measured: string, target: string, met: boolean) => string;
}

export interface TargetRow {
  item: string;
  measured: string;
  target: string;
  met: boolean;
}

/** Rounds for a section: `full` normally, `quick` with BENCH_QUICK=1; BENCH_ROUNDS overrides both. */
export function rounds(context: Context, full: number, quick: number): number {
  const forced = Number(process.env.BENCH_ROUNDS);
  if (forced > 0) return forced;
  return context.quick ? quick : full;
}
