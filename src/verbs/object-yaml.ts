import { withoutServerFields } from '../engine/server-fields.ts';
import type { KubeObject } from '../kube/types.ts';

/** What `kubectl diff` leaves out of both sides: status and the server's bookkeeping. */
export const forDisplay = (object: KubeObject | undefined): KubeObject | undefined =>
  object && withoutServerFields(object);

/** Keys sorted, so that both sides of a diff line up whatever order built them. */
export async function toYaml(object: unknown): Promise<string> {
  if (object === undefined) return '';
  const { stringify } = await import('yaml');
  return stringify(object, { lineWidth: 0, sortMapEntries: true });
}
