// One context of a fleet run: the verb's own result and text, plus the summary row (form
// and zones per component, drift or change count), from one read of the cluster.
import { writesOf } from '../engine/types.ts';
import type { Snapshot } from '../engine/read.ts';
import type { KubeClient } from '../kube/types.ts';
import type { DriftReport } from './drift.ts';
import { driftReportOf, driftText } from './check-drift.ts';
import { objectDiffs, unifiedDiffs } from './diff.ts';
import type { ComponentSummary, FleetVerb } from './fleet-types.ts';
import type { DiffOptions, GlobalOptions, ComponentSelection } from './options.ts';
import { planFrom, readFor, settingsFrom } from './planning.ts';
import { statusReportOf, statusText } from './status.ts';

export interface ContextCheck {
  components: ComponentSummary[];
  /** The verb's own document (DriftReport, Status) or, for diff, the changed objects. */
  result: unknown;
  /** What the verb prints for this one cluster. */
  text: string;
  /** Drift found (check-drift, status) or enable/disable would change something (diff). */
  differs: boolean;
}

export type FleetVerbOptions = GlobalOptions & ComponentSelection & Partial<DiffOptions>;

export async function checkContext(verb: FleetVerb, kube: KubeClient, options: FleetVerbOptions, context: string, color: boolean): Promise<ContextCheck> {
  const snapshot = await readFor(kube, options.namespace, options.components);
  // Only check-drift fails when a recipe refuses the cluster; status says "drift unknown", diff shows its own plan.
  const drift = verb === 'check-drift' ? driftReportOf(snapshot, options, context) : tolerantDrift(snapshot, options, context);
  const known = drift && new Map(drift.components.map((c) => [c.component, c.drift] as const));
  const status = await statusReportOf(kube, snapshot, options, known);
  const summaries = (differences: (component: string) => number): ComponentSummary[] =>
    status.components.map((component) => ({
      component: component.component,
      form: component.form,
      zones: component.zones.length,
      clusterZones: status.cluster.zones.length,
      differences: differences(component.component),
    }));
  if (verb === 'diff') {
    const direction = options.disable ? 'disable' : 'enable';
    const { plans } = planFrom(snapshot, options.components, direction, settingsFrom(options));
    const warnings = plans.flatMap((plan) => plan.warnings).map((warning) => `Warning: ${warning}\n`);
    const diffs = await objectDiffs(plans);
    const changes = (component: string) => plans.filter((plan) => plan.component === component).flatMap(writesOf).length;
    const text = diffs.length === 0 ? `no differences: ${direction} would change nothing\n` : await unifiedDiffs(diffs, color);
    return {
      components: summaries(changes),
      result: { direction, objects: diffs.map((diff) => diff.name) },
      text: `${warnings.join('')}${text}`,
      differs: diffs.length > 0,
    };
  }
  const findings = (component: string) => drift?.components.find((c) => c.component === component)?.findings.length ?? 0;
  const differs = status.components.some((component) => component.drift === true);
  return verb !== 'check-drift' || !drift
    ? { components: summaries(findings), result: status, text: statusText(status), differs }
    : { components: summaries(findings), result: drift, text: driftText(drift), differs: drift.drift };
}

function tolerantDrift(snapshot: Snapshot, options: FleetVerbOptions, context: string): DriftReport | undefined {
  try {
    return driftReportOf(snapshot, options, context);
  } catch {
    return undefined;
  }
}
