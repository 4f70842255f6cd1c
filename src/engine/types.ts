import type { Operation } from 'fast-json-patch';
import type { KubeObject, ObjectRef } from '../kube/types.ts';

export const COMPONENTS = ['cilium-operator', 'coredns', 'metrics-server'] as const;
export type Component = (typeof COMPONENTS)[number];
/** What one plan converges: a component, or the in-cluster guard (recipes/guard.ts). */
export type PlanSubject = Component | 'guard';

/** What recipes see of the cluster: read once, concurrently, by the engine (read.ts) before planning. */
export interface ClusterView {
  namespace: string;
  nodes: KubeObject[];
  /** Every PodDisruptionBudget of the namespace, ours or not. */
  podDisruptionBudgets: KubeObject[];
  get(ref: ObjectRef): KubeObject | undefined;
}

/**
 * How a desired object is compared with its live form.
 * - `exact`: the desired object is complete (a copy of an original): any field the live object has
 *   and the desired one lacks is removed, so a field dropped upstream is dropped from the copy too.
 * - `subset`: the desired object names only the fields we decide; everything else the server or
 *   another controller set on the live object is left alone. A `null` value means "must be absent".
 */
export type CompareMode = 'exact' | 'subset';

export interface DesiredObject {
  /** The object as it should be, or null when it should not exist. */
  object: KubeObject | null;
  ref: ObjectRef;
  mode: CompareMode;
  /** true: created and owned by us (managed-by label); false: an original we only adjust. */
  owned: boolean;
  /** JSON pointers whose live value always wins (e.g. replicas owned by an autoscaler). */
  keepLive?: string[];
  /** Why the object exists, for plans and diffs. */
  purpose: string;
}

/** A condition the engine waits for before going on; evaluated from fresh reads. */
export interface WaitFor {
  kind: 'deployment-serving';
  /** The Deployment whose Ready pods must serve. */
  deployment: ObjectRef;
  /** A Service whose EndpointSlices must list those pods as ready endpoints. */
  service?: ObjectRef;
  /** An aggregated API the API server serves through `service`: it must also be Available. */
  apiService?: ObjectRef;
  description: string;
}

export interface Stage {
  objects: DesiredObject[];
  /** Checked after the stage's writes and before the next stage starts. */
  waitFor?: WaitFor[];
}

/** What a recipe wants: stages run in order, so a copy serves before its original stops. */
export interface DesiredState {
  component: PlanSubject;
  stages: Stage[];
  warnings: string[];
}

export type Step =
  | { action: 'create'; ref: ObjectRef; object: KubeObject; source: DesiredObject }
  | {
      action: 'patch';
      ref: ObjectRef;
      patch: Operation[];
      live: KubeObject;
      /** The live object with the patch applied (server fields left out), for diffs. */
      target: KubeObject;
      source: DesiredObject;
    }
  | { action: 'delete'; ref: ObjectRef; live: KubeObject; source: DesiredObject }
  | {
      action: 'wait';
      waitFor: WaitFor;
      /** The Deployment's pod selector when known before the write (selectors are immutable): its pods are watched from the start. */
      selector?: string;
    };

export type WriteStep = Exclude<Step, { action: 'wait' }>;
export type WaitStep = Extract<Step, { action: 'wait' }>;

/** One stage of a plan: its writes, then the waits that must pass before the next stage. */
export interface PlannedStage {
  writes: WriteStep[];
  waits: WaitStep[];
}

export interface ComponentPlan {
  component: PlanSubject;
  /** Every step in order, for plans shown to people and programs. */
  steps: Step[];
  /** The same steps by stage: what the engine runs (writes of a stage need not wait for each other). */
  stages: PlannedStage[];
  warnings: string[];
}

export const writesOf = (plan: ComponentPlan): WriteStep[] =>
  plan.steps.filter((step): step is WriteStep => step.action !== 'wait');
