import { deepClone } from './json-patch.ts';
import type { KubeObject } from '../kube/types.ts';

/** Metadata the server owns: never copied, compared, patched or shown in a diff. */
export const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'finalizers',
  'ownerReferences',
] as const;

/** A deep copy without status and the server's metadata. */
export function withoutServerFields(object: KubeObject): KubeObject {
  const copy = deepClone(object) as KubeObject;
  delete copy.status;
  for (const field of SERVER_METADATA) delete copy.metadata[field];
  return copy;
}
