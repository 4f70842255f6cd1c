// What a fleet run is given and what it reports (docs/output.md, kind FleetReport). A light
// module: no runtime imports, so that the CLI layer can name these types.
import type { Component } from '../engine/types.ts';

export interface FleetSelection {
  /** Context names or patterns (* and ?); ['*'] for --all-contexts. */
  patterns: string[];
  /** --parallel: contexts checked at once. */
  parallel: number;
  /** --context-timeout: the whole check of one context, retries included; 0 = none. */
  contextTimeoutMs: number;
}

export interface FleetOptions {
  /** Set: run against several contexts (--contexts/--all-contexts); unset: the one cluster. */
  fleet?: FleetSelection | undefined;
}

export type FleetVerb = 'check-drift' | 'status' | 'diff';

export interface ComponentSummary {
  component: Component;
  form: 'ha' | 'original';
  /** Zones holding a Ready pod of the component, of `clusterZones`. */
  zones: number;
  clusterZones: number;
  /** Drift findings (check-drift, status) or objects enable would change (diff). */
  differences: number;
}

export type ContextEntry =
  | { context: string; server: string; status: 'ok'; differs: boolean; components: ComponentSummary[]; result: unknown }
  | { context: string; server: string; status: 'error'; error: string };

export interface FleetReport {
  apiVersion: 'kapsule-ha/v1';
  kind: 'FleetReport';
  verb: FleetVerb;
  /** Any reachable context drifted (check-drift, status) or would change (diff). */
  differs: boolean;
  /** Contexts that could not be checked (exit 3). */
  failed: string[];
  contexts: ContextEntry[];
}
