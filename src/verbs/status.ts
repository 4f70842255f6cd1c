import type { Snapshot } from '../engine/read.ts';
import type { FleetOptions } from './fleet-types.ts';
import type { DeploymentSpec, KubeClient, KubeObject } from '../kube/types.ts';
import { isReady, poolsOf, zonesOf } from '../recipes/cluster.ts';
import { toSelectorString } from '../kube/selector.ts';
import { driftOf, isEnabled } from './drift.ts';
import type { Component, StatusOptions, VerbDeps } from './options.ts';
import { planFrom, readFor } from './planning.ts';
import { printData } from './print.ts';
import { guardText, readGuardStatus } from './guard-state.ts';
import { componentStatus, deploymentsOf, type ComponentStatus, type StatusReport } from './status-model.ts';

/** null when drift cannot be judged (e.g. the recipe refuses the cluster as it is). */
function driftFlags(components: Component[], snapshot: Snapshot, namespace: string): Map<Component, boolean | null> {
  const flags = new Map<Component, boolean | null>();
  for (const component of components) {
    if (!isEnabled(component, snapshot)) {
      flags.set(component, false);
      continue;
    }
    try {
      const { plans } = planFrom(snapshot, [component], 'enable', { force: true });
      flags.set(component, driftOf([component], plans, snapshot, namespace).drift);
    } catch {
      flags.set(component, null);
    }
  }
  return flags;
}

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

/**
 * status's model of a snapshot; lists the components' pods (the snapshot has none).
 * `knownDrift`: drift already judged by the caller (a fleet run's check-drift), not planned again.
 */
export async function statusReportOf(kube: KubeClient, snapshot: Snapshot, options: StatusOptions, knownDrift?: Map<Component, boolean | null>): Promise<StatusReport> {
  const podLists = await Promise.all(
    options.components.map((component) => {
      const [original] = deploymentsOf(component, snapshot);
      const matchLabels = original ? (original.spec as DeploymentSpec).selector.matchLabels : undefined;
      return matchLabels
        ? kube.list('v1', 'Pod', { namespace: options.namespace, labelSelector: toSelectorString(matchLabels) })
        : Promise.resolve([] as KubeObject[]);
    }),
  );
  const drift = knownDrift ?? driftFlags(options.components, snapshot, options.namespace);
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

export async function run(options: StatusOptions & FleetOptions, deps: VerbDeps): Promise<number> {
  if (options.fleet) return (await import('./fleet.ts')).runFleet('status', options, options.fleet, deps);
  const kube = await deps.kube();
  // The guard is read beside the components (no round trip of its own); left out when not installed or this user may not read it.
  const [snapshot, guard] = await Promise.all([readFor(kube, options.namespace, options.components), readGuardStatus(kube).then((status) => (status.installed ? status : undefined), () => undefined)]);
  const report = { ...(await statusReportOf(kube, snapshot, options)), ...(guard ? { guard } : {}) };
  for (const warning of guard?.warnings ?? []) deps.io.err(`Warning: ${warning}\n`);
  if (options.output === 'text') deps.io.out(statusText(report));
  else await printData(deps, report, options.output);
  return 0;
}
