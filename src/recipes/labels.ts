// Marks that tell our objects from everyone else's.

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kubectl-kapsule-ha';
/** Selects the pods of one HA copy only (the originals' pods carry the same app labels). */
export const INSTANCE_LABEL = 'kapsule-ha/instance';
/** On a copy: the original it was made from. */
export const COPY_OF_ANNOTATION = 'kapsule-ha/copy-of';
/** On cilium-operator (not ours, so an annotation, not a label): the replicas enable set. */
export const ENABLED_REPLICAS_ANNOTATION = 'kapsule-ha/enabled-replicas';
/**
 * Marks by which the provider's reconcilers find their objects (Kapsule's own, and the
 * addon manager's, which prunes what it does not know): a copy must not carry them.
 */
export const RECONCILER_LABELS = ['k8s.scw.cloud/object', 'k8s.scw.cloud/system', 'addonmanager.kubernetes.io/mode'];
export const POOL_LABEL = 'k8s.scaleway.com/pool-name';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export const isOurs = (labels: Record<string, string> | undefined): boolean =>
  labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
