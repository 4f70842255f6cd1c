// A fleet run as people read it (each context's own output, grouped, then one summary
// table and a verdict line) and as programs read it (kind FleetReport, docs/output.md).
import type { FleetWording } from './cluster-report.ts';
import type { Component } from './options.ts';
import type { ContextEntry, FleetReport, FleetVerb } from './fleet-types.ts';

export function fleetReport(verb: FleetVerb, contexts: ContextEntry[]): FleetReport {
  return {
    apiVersion: 'kapsule-ha/v1',
    kind: 'FleetReport',
    verb,
    differs: contexts.some((entry) => entry.status === 'ok' && entry.differs),
    failed: contexts.filter((entry) => entry.status === 'error').map((entry) => entry.context),
    contexts,
  };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.filter((row) => row.length > column + 1).map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell)).join('  ').trimEnd());
}

export function summaryTable(report: FleetReport, components: Component[], wording: FleetWording): string[] {
  const header = ['CONTEXT', 'SERVER', ...components.map((component) => component.toUpperCase()), wording.count];
  const rows = report.contexts.map((entry) => {
    if (entry.status === 'error') return [entry.context, entry.server, `error: ${entry.error}`];
    const cells = components.map((component) => {
      const summary = entry.components.find((c) => c.component === component);
      return summary ? `${summary.form === 'ha' ? 'HA' : 'original'} ${summary.zones}/${summary.clusterZones}` : '-';
    });
    return [entry.context, entry.server, ...cells, String(entry.components.reduce((sum, c) => sum + c.differences, 0))];
  });
  return [...table([header, ...rows]), '(per component: its form, and zones with a Ready pod / zones of the cluster)'];
}

export function verdict(report: FleetReport, wording: FleetWording): string {
  const ok = report.contexts.filter((entry) => entry.status === 'ok');
  const differing = ok.filter((entry) => entry.differs).map((entry) => entry.context);
  const parts = [`${ok.length - differing.length} ${wording.same}`];
  if (differing.length > 0) parts.push(`${differing.length} ${wording.differs} (${differing.join(', ')})`);
  if (report.failed.length > 0) parts.push(`${report.failed.length} could not be checked (${report.failed.join(', ')})`);
  return `${report.contexts.length} context${report.contexts.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** One context's group: a header, then what the verb printed for it (or its error), then a blank line. */
export function contextText(entry: ContextEntry, text: string): string {
  const body = entry.status === 'error' ? `error: ${entry.error}\n` : text;
  return `=== ${entry.context} (${entry.server}) ===\n${body}\n`;
}

/** After the groups: the summary table and the verdict. */
export function fleetFooter(report: FleetReport, components: Component[], wording: FleetWording): string {
  return `${summaryTable(report, components, wording).join('\n')}\n${verdict(report, wording)}\n`;
}
