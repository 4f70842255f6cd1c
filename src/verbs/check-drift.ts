import type { CheckDriftOptions, VerbDeps } from './options.ts';
import { driftOf, isEnabled, type DriftReport } from './drift.ts';
import { planFrom, readFor } from './planning.ts';
import type { Snapshot } from '../engine/read.ts';
import type { FleetOptions } from './fleet-types.ts';
import { printData } from './print.ts';

export function driftText(report: DriftReport): string {
  const lines: string[] = [];
  for (const component of report.components) {
    if (!component.enabled) lines.push(`${component.component}: not enabled (nothing to compare)`);
    else if (!component.drift) lines.push(`${component.component}: in sync`);
    else for (const finding of component.findings) lines.push(`${finding.component}: ${finding.message} (repair: ${finding.repair})`);
  }
  return `${lines.join('\n')}\n`;
}

/** The drift report of a snapshot; `context` goes into each repair command (fleet runs). */
export function driftReportOf(snapshot: Snapshot, options: CheckDriftOptions, context?: string): DriftReport {
  const enabled = options.components.filter((component) => isEnabled(component, snapshot));
  // Options left out keep what is live (pools, autoscaler parameters, replicas), as enable would.
  const { plans } = planFrom(snapshot, enabled, 'enable', { force: true });
  return driftOf(options.components, plans, options.namespace, context);
}

/** Exit 1 when any enabled component drifted; reads only (the plan is never applied). */
export async function run(options: CheckDriftOptions & FleetOptions, deps: VerbDeps): Promise<number> {
  if (options.fleet) return (await import('./fleet.ts')).runFleet('check-drift', options, options.fleet, deps);
  const kube = await deps.kube();
  const report = driftReportOf(await readFor(kube, options.namespace, options.components), options);
  if (options.output === 'text') deps.io.out(driftText(report));
  else await printData(deps, report, options.output);
  return report.drift ? 1 : 0;
}
