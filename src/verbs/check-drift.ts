import type { CheckDriftOptions, VerbDeps } from './options.ts';
import { driftReportOf, findingCounts, judgeDrift, type DriftReport } from './drift.ts';
import { readFor } from './planning.ts';
import { componentSummaries, DRIFT_WORDING, type ClusterReporter } from './cluster-report.ts';
import type { FleetOptions } from './fleet-types.ts';
import { printData } from './print.ts';
import { surveyCluster } from './status.ts';

export function driftText(report: DriftReport): string {
  const lines: string[] = [];
  for (const component of report.components) {
    if (!component.enabled) lines.push(`${component.component}: not enabled (nothing to compare)`);
    else if (!component.drift) lines.push(`${component.component}: in sync`);
    else for (const finding of component.findings) lines.push(`${finding.component}: ${finding.message} (repair: ${finding.repair})`);
  }
  return `${lines.join('\n')}\n`;
}

/** A fleet run's view of one cluster: its drift report (a recipe's refusal fails the context), with status's summary. */
export const driftOfCluster: ClusterReporter = {
  verb: 'check-drift',
  wording: DRIFT_WORDING,
  differenceIsExit1: true,
  async report(kube, options, context) {
    const { judged, status } = await surveyCluster(kube, options, context);
    const drift = driftReportOf(judged);
    return { components: componentSummaries(status, findingCounts(judged)), result: drift, text: driftText(drift), differs: drift.drift };
  },
};

/** Exit 1 when any enabled component drifted; reads only (the plan is never applied). */
export async function run(options: CheckDriftOptions & FleetOptions, deps: VerbDeps): Promise<number> {
  if (options.fleet) return (await import('./fleet.ts')).runFleet(driftOfCluster, options, options.fleet, deps);
  const kube = await deps.kube();
  const snapshot = await readFor(kube, options.namespace, options.components);
  const report = driftReportOf(judgeDrift(snapshot, options.components, options.namespace));
  if (options.output === 'text') deps.io.out(driftText(report));
  else await printData(deps, report, options.output);
  return report.drift ? 1 : 0;
}
