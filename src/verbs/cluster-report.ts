// What a verb says about one cluster of a fleet run: its own document and text, and the
// summary row (form and zones per component, drift or change count). Each fleet verb
// exports a `ClusterReporter`; the fleet run only loops over contexts calling it.
import type { KubeClient } from '../kube/types.ts';
import type { ComponentSummary, FleetVerb } from './fleet-types.ts';
import type { Component, ComponentSelection, DiffOptions, GlobalOptions } from './options.ts';
import type { StatusReport } from './status-model.ts';

export interface ClusterReport {
  components: ComponentSummary[];
  /** The verb's own document (DriftReport, Status) or, for diff, the changed objects. */
  result: unknown;
  /** What the verb prints for this one cluster. */
  text: string;
  /** Drift found (check-drift, status) or enable/disable would change something (diff). */
  differs: boolean;
}

export type FleetVerbOptions = GlobalOptions & ComponentSelection & Partial<DiffOptions>;

/** How a fleet run names what differs: the table's count column and the verdict's words. */
export interface FleetWording {
  count: string;
  same: string;
  differs: string;
}

export interface ClusterReporter {
  verb: FleetVerb;
  wording: FleetWording;
  /** Exit 1 when a cluster differs (check-drift, diff); status describes, it does not judge. */
  differenceIsExit1: boolean;
  /** The report of one cluster; `context` goes into repair commands. */
  report(kube: KubeClient, options: FleetVerbOptions, context: string, color: boolean): Promise<ClusterReport>;
}

/** The summary row's cells: each component's form and zones from status, and a count of the verb's. */
export const DRIFT_WORDING: FleetWording = { count: 'DRIFT', same: 'in sync', differs: 'with drift' };

export function componentSummaries(status: StatusReport, differences: (component: Component) => number): ComponentSummary[] {
  return status.components.map((component) => ({
    component: component.component,
    form: component.form,
    zones: component.zones.length,
    clusterZones: status.cluster.zones.length,
    differences: differences(component.component),
  }));
}
