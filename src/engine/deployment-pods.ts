// Which pods belong to a Deployment, and which of them are ready: decided here once, for
// the engine's waits (serving-check.ts) and for status. By ownership, as the Deployment
// controller and `kubectl rollout status` see it, not by labels: an original's selector
// also matches the pods of its copy (which carry every label of the original's).
import type { KubeObject } from '../kube/types.ts';

interface OwnerReference {
  kind: string;
  name: string;
  controller?: boolean;
}

interface PodStatus {
  conditions?: { type: string; status: string }[];
}

/**
 * A Deployment's pods are those controlled by its ReplicaSets, which the Deployment
 * controller names <deployment>-<pod-template-hash>, the hash being the pod's label.
 */
export function isPodOf(pod: KubeObject, deployment: string): boolean {
  const hash = pod.metadata.labels?.['pod-template-hash'];
  if (hash === undefined) return false;
  const owners = (pod.metadata.ownerReferences ?? []) as OwnerReference[];
  return owners.some((owner) => owner.controller === true && owner.kind === 'ReplicaSet' && owner.name === `${deployment}-${hash}`);
}

/** Ready as Endpoints count it: the Ready condition is True and the pod is not terminating. */
export function isPodReady(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  return ((pod.status as PodStatus | undefined)?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

/** The Deployment (of those given) whose pod this is, if any. */
export function deploymentOfPod<D extends KubeObject>(pod: KubeObject, deployments: readonly D[]): D | undefined {
  return deployments.find((deployment) => isPodOf(pod, deployment.metadata.name));
}
