import type { KubeObject, ObjectRef } from '../kube/types.ts';
import { INSTANCE_LABEL } from './labels.ts';
import { MANAGED_BY, MANAGED_BY_LABEL, isOurs } from '../engine/ownership.ts';
import type { ClusterView } from '../engine/types.ts';
import type { DesiredObject, WaitFor } from '../engine/types.ts';
import { deploymentRef, serviceRef } from './types.ts';

/** An original (Kapsule's, not ours): we only ever set its replica count. */
export const scaledOriginal = (namespace: string, name: string, replicas: number, why: string): DesiredObject => ({
  object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { replicas } },
  ref: deploymentRef(namespace, name),
  mode: 'subset',
  owned: false,
  purpose: `${name} at ${replicas} replica${replicas === 1 ? '' : 's'}: ${why}`,
});

/** Ready, and (with a Service) listed as ready endpoints of it: only then may the other side stop. */
export const servingWait = (namespace: string, deployment: string, service?: string): WaitFor => ({
  kind: 'deployment-serving',
  deployment: deploymentRef(namespace, deployment),
  ...(service ? { service: serviceRef(namespace, service) } : {}),
  description: service
    ? `deployment/${deployment} Available and its pods ready endpoints of service/${service}`
    : `deployment/${deployment} Available`,
});

/** Objects of ours that must go; the engine deletes them together (deleting a Deployment only starts its pods' garbage collection). */
export const removals = (entries: { ref: ObjectRef; purpose: string }[]): DesiredObject[] =>
  entries.map(({ ref, purpose }) => ({ object: null, ref, mode: 'subset', owned: true, purpose }));

/** The PodDisruptionBudget of a copy: its pods only, and unhealthy pods always evictable. */
export const copyPdb = (namespace: string, copy: string, budget: { maxUnavailable: number } | { minAvailable: number }): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: copy, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
  spec: {
    ...budget,
    selector: { matchLabels: { [INSTANCE_LABEL]: copy } },
    unhealthyPodEvictionPolicy: 'AlwaysAllow',
  },
});

/** A component made HA by a copy is enabled once a copy of ours exists. */
export const hasOurCopy = (view: ClusterView, copy: string): boolean =>
  isOurs(view.get(deploymentRef(view.namespace, copy))?.metadata.labels);
