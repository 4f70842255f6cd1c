import type { Snapshot } from '../engine/read.ts';
import type { FleetOptions } from './fleet-types.ts';
import type { DeploymentSpec, KubeClient, KubeObject } from '../kube/types.ts';
import { componentSummaries, DRIFT_WORDING, type ClusterReporter } from './cluster-report.ts';
import { isReady, poolsOf, zonesOf } from '../recipes/cluster.ts';
import { toSelectorString } from '../kube/selector.ts';
import { driftFlags, findingCounts, isEnabled, judgeDrift, type JudgedDrift } from './drift.ts';
import type { Component, StatusOptions, VerbDeps } from './options.ts';
import { readFor } from './planning.ts';
import { printData } from './print.ts';
import { guardText, readGuardStatus } from './guard-state.ts';
import { componentStatus, deploymentsOf, type ComponentStatus, type StatusReport } from './status-model.ts';

export function statusText(report: StatusReport): string {
  const { cluster } = report;
  const lines = [`cluster: ${cluster.readyNodes}/${cluster.nodes} nodes Ready in ${cluster.zones.length} zone(s) (${cluster.zones.join(', ')}), pools ${cluster.pools.join(', ')}`];
  for (const status of report.components) lines.push('', ...componentText(status));
  if (report.guard) lines.push('', ...guardText(report.guard));
  return `${lines.join('\n')}\n`;
}

export function componentText(status: ComponentStatus): string[] {
  const ready = status.pods.filter((pod) => pod.ready);
  const replicas = status.deployments.map((d) => `${d.name} ${d.ready}/${d.desired}`).join(', ');
  const lines = [
    `${status.component}: ${status.form === 'ha' ? 'HA' : 'original'} — ${replicas} ready; ${ready.length} Ready pod(s) in ${status.zones.length} zone(s)`,
    `  PDB: ${status.podDisruptionBudget ? `${status.podDisruptionBudget.name} (${status.podDisruptionBudget.disruptionsAllowed} disruption(s) allowed)` : 'none'}` +
      `   pinned: ${status.pinnedPools.length ? status.pinnedPools.join(', ') : 'no'}` +
      `   drift: ${status.drift === null ? 'unknown' : status.drift ? 'yes' : 'no'}`,
  ];
  if (status.autoscaler) {
    const { params, replicas, nodes, cores } = status.autoscaler;
    lines.push(
      `  autoscaler: max(ceil(${cores} cores / ${params.coresPerReplica}), ceil(${nodes} nodes / ${params.nodesPerReplica}))` +
        `, min ${params.min}${params.max ? `, max ${params.max}` : ''}${params.preventSinglePointFailure ? ', at least 2' : ''} → ${replicas} replicas`,
    );
  }
  if (status.apiService) lines.push(`  API: ${apiServiceText(status.apiService)}`);
  if (status.zones.length > 0) {
    const perZone = status.zones.map((zone) => `${zone} ×${ready.filter((pod) => pod.zone === zone).length}`);
    lines.push(`  Ready pods per zone: ${perZone.join(', ')}`);
  }
  if (status.pods.length > 0) {
    const zoneWidth = Math.max(4, ...status.pods.map((pod) => (pod.zone ?? '-').length));
    const podWidth = Math.max(3, ...status.pods.map((pod) => pod.name.length));
    const readyText = (pod: ComponentStatus['pods'][number]) => (pod.ready ? 'yes' : (pod.reason ?? pod.phase));
    const readyWidth = Math.max(5, ...status.pods.map((pod) => readyText(pod).length));
    lines.push(`  ${'ZONE'.padEnd(zoneWidth)}  ${'POD'.padEnd(podWidth)}  ${'READY'.padEnd(readyWidth)}  RESTARTS  NODE`);
    const sorted = [...status.pods].sort((a, b) => (a.zone ?? '~').localeCompare(b.zone ?? '~') || a.name.localeCompare(b.name));
    for (const pod of sorted) {
      lines.push(`  ${(pod.zone ?? '-').padEnd(zoneWidth)}  ${pod.name.padEnd(podWidth)}  ${readyText(pod).padEnd(readyWidth)}  ${String(pod.restarts).padEnd(8)}  ${pod.node ?? '-'}`);
    }
  }
  for (const finding of status.findings) lines.push(`  ${finding.severity}: ${finding.message}`);
  return lines;
}

function apiServiceText(api: NonNullable<ComponentStatus['apiService']>): string {
  if (!api.found) return `apiservice/${api.name} not found`;
  const through = api.service ? ` (service/${api.service})` : '';
  if (api.available) return `apiservice/${api.name} Available${through}`;
  return `apiservice/${api.name} not Available${through}${api.reason ? `: ${api.reason}` : ''}${api.message ? ` (${api.message})` : ''}`;
}

/**
 * status's model of a snapshot; lists the components' pods (the snapshot has none).
 * `drift`: each component's drift, null when it cannot be judged (drift.ts's driftFlags).
 */
export async function statusReportOf(kube: KubeClient, snapshot: Snapshot, options: StatusOptions, drift: Map<Component, boolean | null>): Promise<StatusReport> {
  const podLists = await Promise.all(
    options.components.map((component) => {
      const [original] = deploymentsOf(component, snapshot);
      const matchLabels = original ? (original.spec as DeploymentSpec).selector.matchLabels : undefined;
      return matchLabels
        ? kube.list('v1', 'Pod', { namespace: options.namespace, labelSelector: toSelectorString(matchLabels) })
        : Promise.resolve([] as KubeObject[]);
    }),
  );
  const nodes = snapshot.view.nodes;
  return {
    apiVersion: 'kapsule-ha/v1',
    kind: 'Status',
    cluster: { nodes: nodes.length, readyNodes: nodes.filter(isReady).length, zones: zonesOf(nodes), pools: poolsOf(nodes) },
    components: options.components.map((component, index) =>
      componentStatus(component, snapshot, podLists[index]!, drift.get(component) ?? null, isEnabled(component, snapshot)),
    ),
  };
}

/** What every fleet verb reads of one cluster: the snapshot, its drift judged, and status's model (the summary row). */
export async function surveyCluster(kube: KubeClient, options: StatusOptions, context: string): Promise<{ snapshot: Snapshot; judged: JudgedDrift[]; status: StatusReport }> {
  const snapshot = await readFor(kube, options.namespace, options.components);
  const judged = judgeDrift(snapshot, options.components, options.namespace, context);
  return { snapshot, judged, status: await statusReportOf(kube, snapshot, options, driftFlags(judged)) };
}

/** A fleet run's view of one cluster: its status; drift counted where it can be judged. */
export const statusOfCluster: ClusterReporter = {
  verb: 'status',
  wording: DRIFT_WORDING,
  differenceIsExit1: false,
  async report(kube, options, context) {
    const { judged, status } = await surveyCluster(kube, options, context);
    const differs = status.components.some((component) => component.drift === true);
    return { components: componentSummaries(status, findingCounts(judged)), result: status, text: statusText(status), differs };
  },
};

export async function run(options: StatusOptions & FleetOptions, deps: VerbDeps): Promise<number> {
  if (options.fleet) return (await import('./fleet.ts')).runFleet(statusOfCluster, options, options.fleet, deps);
  const kube = await deps.kube();
  // The guard is read beside the components (no round trip of its own); left out when not installed or this user may not read it.
  const [snapshot, guard] = await Promise.all([readFor(kube, options.namespace, options.components), readGuardStatus(kube).then((status) => (status.installed ? status : undefined), () => undefined)]);
  const judged = judgeDrift(snapshot, options.components, options.namespace);
  const report = { ...(await statusReportOf(kube, snapshot, options, driftFlags(judged))), ...(guard ? { guard } : {}) };
  for (const warning of guard?.warnings ?? []) deps.io.err(`Warning: ${warning}
`);
  if (options.output === 'text') deps.io.out(statusText(report));
  else await printData(deps, report, options.output);
  return 0;
}
