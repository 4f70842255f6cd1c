// The engine, seen from the verbs: read once, let each recipe say what it wants, plan.
import { PreflightError } from '../engine/errors.ts';
import { plan } from '../engine/plan.ts';
import { readSnapshot, type Snapshot } from '../engine/read.ts';
import type { ComponentPlan, DesiredState } from '../engine/types.ts';
import type { KubeClient } from '../kube/types.ts';
import { isReady, looksLikeKapsule, zonesOf } from '../recipes/cluster.ts';
import { RECIPES } from '../recipes/index.ts';
import type { EnableSettings } from '../recipes/types.ts';
import type { Component, PlanOptions } from './options.ts';

export type Direction = 'enable' | 'disable';

export interface Planned {
  snapshot: Snapshot;
  states: DesiredState[];
  plans: ComponentPlan[];
}

export function settingsFrom(options: Partial<PlanOptions>): EnableSettings {
  return {
    ciliumReplicas: options.replicas,
    pools: options.pools,
    coresPerReplica: options.coresPerReplica,
    nodesPerReplica: options.nodesPerReplica,
    minReplicas: options.minReplicas,
    maxReplicas: options.maxReplicas,
    force: options.force,
  };
}

export async function readFor(kube: KubeClient, namespace: string, components: Component[]): Promise<Snapshot> {
  return readSnapshot(kube, namespace, components.map((component) => RECIPES[component]));
}

/** Pure: what each recipe wants of this snapshot, and the plan to get there. */
export function planFrom(snapshot: Snapshot, components: Component[], direction: Direction, settings: EnableSettings): Planned {
  if (direction === 'enable' && !settings.force && !looksLikeKapsule(snapshot.view.nodes)) {
    throw new PreflightError(
      'this cluster does not look like Scaleway Kapsule (no node has the label k8s.scaleway.com/pool-name); ' +
        'check --context, or pass --force to go on anyway.',
    );
  }
  if (direction === 'enable' && !settings.force) requireSeveralZones(snapshot);
  const states = components.map((component) =>
    direction === 'enable' ? RECIPES[component].enable(snapshot.view, settings) : RECIPES[component].disable(snapshot.view),
  );
  return { snapshot, states, plans: states.map((state) => plan(state, snapshot.live)) };
}

export async function planComponents(
  kube: KubeClient,
  namespace: string,
  components: Component[],
  direction: Direction,
  settings: EnableSettings,
): Promise<Planned> {
  return planFrom(await readFor(kube, namespace, components), components, direction, settings);
}

/** HA copies spread over zones: with every node in one zone, an outage there still stops them all. */
function requireSeveralZones(snapshot: Snapshot): void {
  const zones = zonesOf(snapshot.view.nodes.filter(isReady));
  if (zones.length === 1) {
    throw new PreflightError(
      `every Ready node is in one zone (${zones[0]}): the HA copies cannot be spread over zones and a zone outage ` +
        'would still stop them all; add a pool in another zone, or pass --force for node-level HA only.',
    );
  }
}
