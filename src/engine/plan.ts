import type { KubeObject, ObjectRef } from '../kube/types.ts';
import { isOurs } from '../recipes/labels.ts';
import { diffPatch, target, withoutNulls } from './compare.ts';
import { ForeignObjectError } from './errors.ts';
import type { ComponentPlan, DesiredObject, DesiredState, Step } from './types.ts';

export type LiveObjects = ReadonlyMap<string, KubeObject | undefined>;

export const refKey = (ref: ObjectRef): string =>
  `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;

/** The refs a desired state touches: what must be read before planning it. */
export const refsOf = (state: DesiredState): ObjectRef[] =>
  state.stages.flatMap((stage) => stage.objects.map((object) => object.ref));

/** The write, if any, that turns `live` into `desired`. */
export function stepFor(desired: DesiredObject, live: KubeObject | undefined): Step | undefined {
  if (live && desired.owned && !isOurs(live.metadata.labels)) throw new ForeignObjectError(desired.ref);
  if (desired.object === null) {
    return live ? { action: 'delete', ref: desired.ref, live, source: desired } : undefined;
  }
  if (!live) {
    if (!desired.owned) return undefined; // an original we only adjust is missing: preflight reports it
    return { action: 'create', ref: desired.ref, object: withoutNulls(desired.object), source: desired };
  }
  const patch = diffPatch(live, desired);
  if (patch.length === 0) return undefined;
  return { action: 'patch', ref: desired.ref, patch, live, target: target(live, desired) as KubeObject, source: desired };
}

/**
 * Desired against live, stage by stage: the writes that differ, then the stage's waits.
 * Pure: planning the same state twice gives the same plan, and an already-converged
 * component gives a plan without writes. Foreign objects abort planning before any write.
 */
export function plan(state: DesiredState, live: LiveObjects): ComponentPlan {
  const steps: Step[] = [];
  for (const stage of state.stages) {
    for (const desired of stage.objects) {
      const step = stepFor(desired, live.get(refKey(desired.ref)));
      if (step) steps.push(step);
    }
    for (const waitFor of stage.waitFor ?? []) steps.push({ action: 'wait', waitFor });
  }
  return { component: state.component, steps, warnings: state.warnings };
}
