import type { KubeObject, ObjectRef } from '../kube/types.ts';
import { isOurs } from './ownership.ts';
import { diffPatch, target, withoutNulls } from './compare.ts';
import { ForeignObjectError } from './errors.ts';
import { toSelectorString } from '../kube/selector.ts';
import type { ComponentPlan, DesiredObject, DesiredState, PlannedStage, Stage, Step, WaitFor, WaitStep, WriteStep } from './types.ts';

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
 * The pod selector of the Deployment a wait is about: from the object this stage writes, else
 * from the live one. A Deployment's selector is immutable, so it is known before the write.
 */
function selectorFor(waitFor: WaitFor, stage: Stage, live: LiveObjects): string | undefined {
  const key = refKey(waitFor.deployment);
  const written = stage.objects.find((desired) => refKey(desired.ref) === key)?.object;
  const deployment = (written ?? live.get(key)) as { spec?: { selector?: { matchLabels?: Record<string, string> } } } | undefined;
  const labels = deployment?.spec?.selector?.matchLabels;
  return labels && Object.keys(labels).length > 0 ? toSelectorString(labels) : undefined;
}

/**
 * Desired against live, stage by stage: the writes that differ, then the stage's waits.
 * Pure: planning the same state twice gives the same plan, and an already-converged
 * component gives a plan without writes. Foreign objects abort planning before any write.
 */
export function plan(state: DesiredState, live: LiveObjects): ComponentPlan {
  const stages: PlannedStage[] = state.stages.map((stage) => {
    const writes = stage.objects
      .map((desired) => stepFor(desired, live.get(refKey(desired.ref))))
      .filter((step): step is WriteStep => step !== undefined);
    const waits = (stage.waitFor ?? []).map((waitFor): WaitStep => {
      const selector = selectorFor(waitFor, stage, live);
      return { action: 'wait', waitFor, ...(selector ? { selector } : {}) };
    });
    return { writes, waits };
  });
  const steps: Step[] = stages.flatMap((stage) => [...stage.writes, ...stage.waits]);
  return { component: state.component, steps, stages, warnings: state.warnings };
}
