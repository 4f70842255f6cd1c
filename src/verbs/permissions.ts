import { PreflightError } from '../engine/errors.ts';
import { writesOf, type ComponentPlan } from '../engine/types.ts';
import { resourceInfo, resourceName } from '../kube/resources.ts';
import type { AccessCheck, KubeClient } from '../kube/types.ts';

export interface RequiredAccess {
  check: AccessCheck;
  /** kubectl's wording: "patch deployments.apps in kube-system". */
  display: string;
}

/** Every verb on every resource the plans need, the reads of the waits included. */
export function requiredAccess(plans: ComponentPlan[], namespace: string): RequiredAccess[] {
  const required = new Map<string, RequiredAccess>();
  const add = (verb: string, apiVersion: string, kind: string) => {
    const info = resourceInfo(apiVersion, kind);
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    const check: AccessCheck = { verb, group, resource: info.plural, ...(info.namespaced ? { namespace } : {}) };
    const display = `${verb} ${resourceName(apiVersion, kind)}${info.namespaced ? ` in ${namespace}` : ''}`;
    required.set(display, { check, display });
  };
  for (const plan of plans) {
    for (const step of writesOf(plan)) add(step.action, step.ref.apiVersion, step.ref.kind);
    if (plan.steps.some((step) => step.action === 'wait')) {
      add('get', 'apps/v1', 'Deployment');
      add('list', 'v1', 'Pod');
      add('list', 'discovery.k8s.io/v1', 'EndpointSlice');
    }
  }
  return [...required.values()];
}

/** Asks the server (SelfSubjectAccessReview) before any write and names exactly what is missing. */
export async function requireAccess(kube: KubeClient, plans: ComponentPlan[], namespace: string): Promise<void> {
  const required = requiredAccess(plans, namespace);
  if (required.length === 0) return;
  const allowed = await kube.canI(required.map(({ check }) => check));
  const missing = required.filter((_, index) => !allowed[index]).map(({ display }) => display);
  if (missing.length > 0) {
    throw new PreflightError(
      `you are not allowed to ${missing.join(', ')}; nothing was changed. Ask a cluster admin for these permissions.`,
    );
  }
}
