// A plan shown to people (text) and to programs (json/yaml): one model, two renderers.
import type { ComponentPlan, Step } from '../engine/types.ts';

import type { ObjectRef } from '../kube/types.ts';

/** kubectl's way of naming an object: deployment.apps/coredns-ha. */
export function kubectlName(ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? `.${ref.apiVersion.split('/')[0]}` : '';
  return `${ref.kind.toLowerCase()}${group}/${ref.name}`;
}

const PAST = { create: 'created', patch: 'patched', delete: 'deleted' } as const;
export const pastTense = (action: keyof typeof PAST): string => PAST[action];

export interface StepData {
  action: Step['action'];
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  purpose: string;
  patch?: unknown[];
  object?: unknown;
}

export function stepData(step: Step): StepData {
  if (step.action === 'wait') return { action: 'wait', purpose: step.waitFor.description };
  const { apiVersion, kind, namespace, name } = step.ref;
  return {
    action: step.action,
    apiVersion,
    kind,
    ...(namespace ? { namespace } : {}),
    name,
    purpose: step.source.purpose,
    ...(step.action === 'patch' ? { patch: step.patch } : {}),
    ...(step.action === 'create' ? { object: step.object } : {}),
  };
}

export const planData = (plans: ComponentPlan[]) => ({
  apiVersion: 'kapsule-ha/v1',
  kind: 'Plan',
  components: plans.map((plan) => ({
    component: plan.component,
    warnings: plan.warnings,
    steps: plan.steps.map(stepData),
  })),
});

const SIGN = { create: '+', patch: '~', delete: '-', wait: '…' } as const;

/** One line per step; patches list their operations (the resourceVersion guard left out). */
export function planText(plans: ComponentPlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    const writes = plan.steps.filter((step) => step.action !== 'wait');
    lines.push(writes.length === 0 ? `${plan.component}: no changes` : `${plan.component}:`);
    if (writes.length === 0) continue;
    for (const step of plan.steps) {
      if (step.action === 'wait') {
        lines.push(`  ${SIGN.wait} wait for ${step.waitFor.description}`);
        continue;
      }
      lines.push(`  ${SIGN[step.action]} ${step.action} ${kubectlName(step.ref)}: ${step.source.purpose}`);
      if (step.action === 'patch') {
        for (const op of step.patch.slice(1)) {
          const value = 'value' in op ? ` ${JSON.stringify(op.value)}` : '';
          lines.push(`      ${op.op} ${op.path}${value.length > 100 ? `${value.slice(0, 97)}...` : value}`);
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

