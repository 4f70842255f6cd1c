import { deepClone } from '../engine/json-patch.ts';
import type { KubeObject } from '../kube/types.ts';

/** What `kubectl diff` leaves out of both sides: status and the server's bookkeeping. */
export function forDisplay(object: KubeObject | undefined): KubeObject | undefined {
  if (!object) return undefined;
  const copy = deepClone(object) as KubeObject;
  delete copy.status;
  for (const field of ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp']) delete copy.metadata[field];
  return copy;
}

/** Keys sorted, so that both sides of a diff line up whatever order built them. */
export async function toYaml(object: unknown): Promise<string> {
  if (object === undefined) return '';
  const { stringify } = await import('yaml');
  return stringify(object, { lineWidth: 0, sortMapEntries: true });
}
