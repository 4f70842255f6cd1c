import type { DeploymentSpec, KubeObject } from '../kube/types.ts';
import type { WaitFor } from './types.ts';

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  readyReplicas?: number;
}

interface PodStatus {
  conditions?: { type: string; status: string }[];
}

export interface WaitCheck {
  done: boolean;
  /** What is still missing, for progress lines and the timeout message. */
  detail: string;
}

const isReadyPod = (pod: KubeObject): boolean =>
  !pod.metadata.deletionTimestamp &&
  ((pod.status as PodStatus | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** A Deployment's pods belong to its ReplicaSets, named <deployment>-<pod-template-hash>. */
function ownedBy(pod: KubeObject, deployment: string): boolean {
  const hash = pod.metadata.labels?.['pod-template-hash'];
  const owners = (pod.metadata.ownerReferences ?? []) as { kind: string; name: string }[];
  return hash !== undefined && owners.some((owner) => owner.kind === 'ReplicaSet' && owner.name === `${deployment}-${hash}`);
}

/** Rolled out: every desired replica updated and available, as `kubectl rollout status` judges. */
function rolloutGap(deployment: KubeObject): string | undefined {
  const spec = deployment.spec as DeploymentSpec;
  const status = (deployment.status ?? {}) as DeploymentStatus;
  const desired = spec.replicas ?? 1;
  if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0)) return 'rollout not observed yet';
  const updated = status.updatedReplicas ?? 0;
  if (updated < desired) return `${updated}/${desired} pods updated`;
  // The old ReplicaSet's pods still count in availableReplicas until they are gone.
  if ((status.replicas ?? 0) > updated) return `${(status.replicas ?? 0) - updated} old pod(s) pending termination`;
  if ((status.availableReplicas ?? 0) < updated) return `${status.availableReplicas ?? 0}/${updated} updated pods available`;
  return undefined;
}

/**
 * One look at a wait condition, from what the watches have delivered so far. Never done on a
 * partial view: the Deployment's own count of Ready pods must be among the pods seen.
 */
export function servingCheck(waitFor: WaitFor, deployment: KubeObject | undefined, pods: KubeObject[], slices: KubeObject[]): WaitCheck {
  if (!deployment) return { done: false, detail: `deployment/${waitFor.deployment.name} not seen yet` };
  const gap = rolloutGap(deployment);
  if (gap) return { done: false, detail: gap };
  if (!waitFor.service) return { done: true, detail: 'available' };

  // Only this Deployment's own pods: an original's selector also matches its copy's pods.
  const readyPods = pods
    .filter((pod) => ownedBy(pod, deployment.metadata.name) && isReadyPod(pod))
    .map((pod) => pod.metadata.name);
  const endpoints = new Set(
    slices.flatMap((slice) =>
      ((slice.endpoints ?? []) as { targetRef?: { name?: string }; conditions?: { ready?: boolean } }[])
        .filter((endpoint) => endpoint.conditions?.ready !== false)
        .map((endpoint) => endpoint.targetRef?.name),
    ),
  );
  const counted = (deployment.status as DeploymentStatus | undefined)?.readyReplicas ?? 0;
  if (readyPods.length === 0) return { done: false, detail: 'no Ready pod yet' };
  if (readyPods.length < counted) return { done: false, detail: `${readyPods.length}/${counted} Ready pods seen` };
  const missing = readyPods.filter((name) => !endpoints.has(name));
  if (missing.length > 0) {
    return { done: false, detail: `${missing.length} Ready pod(s) not yet endpoints of service/${waitFor.service.name}` };
  }
  return { done: true, detail: `${readyPods.length} Ready endpoint(s)` };
}
