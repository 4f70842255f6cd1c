// The labels and annotations the recipes set and read (ours: the managed-by mark is the
// engine's, src/engine/ownership.ts).

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
