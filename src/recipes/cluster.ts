import type { KubeObject } from '../kube/types.ts';
import { POOL_LABEL, ZONE_LABEL } from './labels.ts';

interface NodeCondition {
  type: string;
  status: string;
}

export const isReady = (node: KubeObject): boolean =>
  ((node.status as { conditions?: NodeCondition[] } | undefined)?.conditions ?? []).some(
    (condition) => condition.type === 'Ready' && condition.status === 'True',
  );

export const isSchedulable = (node: KubeObject): boolean =>
  isReady(node) && !(node.spec as { unschedulable?: boolean } | undefined)?.unschedulable;

export const zoneOf = (node: KubeObject): string | undefined => node.metadata.labels?.[ZONE_LABEL];
export const poolOf = (node: KubeObject): string | undefined => node.metadata.labels?.[POOL_LABEL];

const sortedUnique = (values: (string | undefined)[]): string[] =>
  [...new Set(values.filter((value): value is string => value !== undefined))].sort();

export const zonesOf = (nodes: KubeObject[]): string[] => sortedUnique(nodes.map(zoneOf));
export const poolsOf = (nodes: KubeObject[]): string[] => sortedUnique(nodes.map(poolOf));

/** Whole cores of allocatable CPU, as cluster-proportional-autoscaler counts them. */
export function allocatableCores(node: KubeObject): number {
  const cpu = (node.status as { allocatable?: { cpu?: string } } | undefined)?.allocatable?.cpu ?? '0';
  return cpu.endsWith('m') ? Math.floor(Number(cpu.slice(0, -1)) / 1000) : Math.floor(Number(cpu));
}

/** Does the cluster look like Kapsule? Its nodes carry Scaleway's pool label. */
export const looksLikeKapsule = (nodes: KubeObject[]): boolean =>
  nodes.length > 0 && nodes.some((node) => poolOf(node) !== undefined);
