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

/** A deep copy without status and the server's metadata (left out before copying: managedFields are often half the object). */
export function withoutServerFields(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object;
  const metadata: Record<string, unknown> = { ...object.metadata };
  for (const field of SERVER_METADATA) delete metadata[field];
  return deepClone({ ...rest, metadata }) as KubeObject;
}
