import { withoutServerFields } from '../engine/server-fields.ts';
import type { Container, DeploymentSpec, KubeObject, PodSpec } from '../kube/types.ts';
import { COPY_OF_ANNOTATION, INSTANCE_LABEL, RECONCILER_LABELS } from './labels.ts';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../engine/ownership.ts';

// Sanitising a copied object, one concern per function, as kubectl-neat does.

const TOOL_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

function withoutKeys(record: Record<string, string> | undefined, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).filter(([key]) => !keys.includes(key)));
}

/** The original's identity, status and tool bookkeeping removed; renamed, relabelled as ours. */
export function neatCopy(original: KubeObject, name: string): KubeObject {
  const copy = withoutServerFields(original);
  copy.metadata.name = name;
  copy.metadata.labels = { ...withoutKeys(original.metadata.labels, RECONCILER_LABELS), [MANAGED_BY_LABEL]: MANAGED_BY };
  copy.metadata.annotations = {
    ...withoutKeys(original.metadata.annotations, TOOL_ANNOTATIONS),
    [COPY_OF_ANNOTATION]: original.metadata.name,
  };
  return copy;
}

export const deploymentSpec = (deployment: KubeObject): DeploymentSpec => deployment.spec as DeploymentSpec;

/**
 * A Deployment copy whose pods keep every label of the original's (Services select on them)
 * plus an instance label, so that its selector, PodDisruptionBudget and spread count its own
 * pods only.
 */
export function copyDeployment(original: KubeObject, name: string): KubeObject {
  const copy = neatCopy(original, name);
  const spec = deploymentSpec(copy);
  spec.selector.matchLabels = { ...spec.selector.matchLabels, [INSTANCE_LABEL]: name };
  spec.template.metadata = {
    ...spec.template.metadata,
    labels: { ...spec.template.metadata?.labels, [INSTANCE_LABEL]: name },
  };
  return copy;
}

/** Points the copy's ConfigMap volumes that used `from` at `to`. */
export function renameConfigMapVolumes(podSpec: PodSpec, from: string, to: string): void {
  for (const volume of podSpec.volumes ?? []) {
    if (volume.configMap?.name === from) volume.configMap.name = to;
  }
}

/** The container a copy's recipe adjusts: the one running `image` (a part of its name), else the first. */
export function mainContainer(podSpec: PodSpec, image: string): Container | undefined {
  const containers = podSpec.containers ?? [];
  return containers.find((candidate) => candidate.image?.includes(image)) ?? containers[0];
}
