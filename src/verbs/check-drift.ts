import type { CheckDriftOptions, VerbDeps } from './options.ts';
import { driftOf, isEnabled, type DriftReport } from './drift.ts';
import { planFrom, readFor } from './planning.ts';
import { printData } from './print.ts';

function driftText(report: DriftReport): string {
  const lines: string[] = [];
  for (const component of report.components) {
    if (!component.enabled) lines.push(`${component.component}: not enabled (nothing to compare)`);
    else if (!component.drift) lines.push(`${component.component}: in sync`);
    else for (const finding of component.findings) lines.push(`${finding.component}: ${finding.message} (repair: ${finding.repair})`);
  }
  return `${lines.join('\n')}\n`;
}

/** Exit 1 when any enabled component drifted; reads only (the plan is never applied). */
export async function run(options: CheckDriftOptions, deps: VerbDeps): Promise<number> {
  const kube = await deps.kube();
  const snapshot = await readFor(kube, options.namespace, options.components);
  const enabled = options.components.filter((component) => isEnabled(component, snapshot));
  // Options left out keep what is live (pools, autoscaler parameters, replicas), as enable would.
  const { plans } = planFrom(snapshot, enabled, 'enable', { force: true });
  const report = driftOf(options.components, plans, snapshot, options.namespace);
  if (options.output === 'text') deps.io.out(driftText(report));
  else await printData(deps, report, options.output);
  return report.drift ? 1 : 0;
}
