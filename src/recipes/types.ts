import type { ObjectRef } from '../kube/types.ts';
import type { ClusterView, Component, DesiredState } from '../engine/types.ts';

/** enable's options; undefined means "keep what is live, else the default". */
export interface EnableSettings {
  ciliumReplicas?: number;
  /** Pools to pin the HA copies to; [] unpins. */
  pools?: string[];
  coresPerReplica?: number;
  nodesPerReplica?: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** Go on despite a cluster that does not look like Kapsule or too few nodes. */
  force?: boolean;
}

export interface Recipe {
  component: Component;
  /** The Deployment Kapsule ships, and our HA copy of it when the recipe makes one. */
  original: string;
  copy?: string;
  /** Has enable been run for this component (a copy of ours, or the recorded replica count)? */
  isEnabled(view: ClusterView): boolean;
  /** Every object the recipe may read or write, enabled or not. */
  refs(namespace: string): ObjectRef[];
  enable(view: ClusterView, settings: EnableSettings): DesiredState;
  disable(view: ClusterView): DesiredState;
}

export const deploymentRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace,
  name,
});
export const configMapRef = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
export const serviceRef = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', namespace, name });
export const pdbRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  namespace,
  name,
});
