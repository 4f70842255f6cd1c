import { PreflightError } from '../engine/errors.ts';
import { writesOf, type ComponentPlan } from '../engine/types.ts';
import { resourceInfo, resourceName } from '../kube/resources.ts';
import type { AccessCheck, KubeClient } from '../kube/types.ts';

export interface RequiredAccess {
  check: AccessCheck;
  /** kubectl's wording: "patch deployments.apps in kube-system". */
  display: string;
  /**
   * Held only to be granted (a rule of a Role we write): RBAC refuses to let anyone grant
   * what they do not hold, unless they may `escalate` this kind of role.
   */
  grantedBy?: 'roles' | 'clusterroles';
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

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
  const grant = (rule: PolicyRule, grantedBy: 'roles' | 'clusterroles', roleNamespace: string | undefined) => {
    for (const group of rule.apiGroups ?? []) {
      for (const resourceAndSub of rule.resources ?? []) {
        const [resource, subresource] = resourceAndSub.split('/') as [string, string | undefined];
        for (const verb of rule.verbs ?? []) {
          for (const name of rule.resourceNames?.length ? rule.resourceNames : [undefined]) {
            const check: AccessCheck = { verb, group, resource, ...(subresource ? { subresource } : {}), ...(name ? { name } : {}), ...(roleNamespace ? { namespace: roleNamespace } : {}) };
            const display = `${verb} ${resource}${group ? `.${group}` : ''}${subresource ? `/${subresource}` : ''}${name ? ` ${name}` : ''}${roleNamespace ? ` in ${roleNamespace}` : ''}`;
            if (!required.has(display)) required.set(display, { check, display, grantedBy });
          }
        }
      }
    }
  };
  for (const plan of plans) {
    for (const step of writesOf(plan)) {
      add(step.action, step.ref.apiVersion, step.ref.kind);
      const role = step.action === 'create' ? step.object : step.action === 'patch' ? step.target : undefined;
      if (role && step.ref.apiVersion === `${RBAC_GROUP}/v1` && (step.ref.kind === 'Role' || step.ref.kind === 'ClusterRole')) {
        const rules = (role as { rules?: PolicyRule[] }).rules ?? [];
        for (const rule of rules) grant(rule, step.ref.kind === 'Role' ? 'roles' : 'clusterroles', step.ref.namespace);
      }
    }
    // Waits watch the Deployment, its pods and the Service's EndpointSlices.
    if (plan.steps.some((step) => step.action === 'wait')) {
      add('watch', 'apps/v1', 'Deployment');
      add('watch', 'v1', 'Pod');
      add('watch', 'discovery.k8s.io/v1', 'EndpointSlice');
    }
    if (plan.steps.some((step) => step.action === 'wait' && step.waitFor.apiService)) add('watch', 'apiregistration.k8s.io/v1', 'APIService');
  }
  return [...required.values()];
}

/**
 * One question first: may this user do everything (a cluster admin, the usual Kapsule
 * kubeconfig)? Asked beside the reads, so it costs no round trip of its own; false if the
 * question itself failed (the detailed questions will then say why).
 */
export const mayDoEverything = (kube: KubeClient): Promise<boolean> =>
  kube.canI([{ verb: '*', group: '*', resource: '*' }]).then(([allowed]) => allowed === true, () => false);

/** Asks the server (SelfSubjectAccessReview) before any write and names exactly what is missing. */
export async function requireAccess(kube: KubeClient, plans: ComponentPlan[], namespace: string, everything?: Promise<boolean>): Promise<void> {
  const required = requiredAccess(plans, namespace);
  if (required.length === 0) return;
  if (await (everything ?? mayDoEverything(kube))) return;
  const escalate = (resource: 'roles' | 'clusterroles'): AccessCheck => ({ verb: 'escalate', group: RBAC_GROUP, resource, ...(resource === 'roles' ? { namespace } : {}) });
  const [mayEscalateRoles, mayEscalateClusterRoles, ...allowed] = await kube.canI([escalate('roles'), escalate('clusterroles'), ...required.map(({ check }) => check)]);
  const mayEscalate = { roles: mayEscalateRoles, clusterroles: mayEscalateClusterRoles };
  const missing = required
    .filter((entry, index) => !allowed[index] && !(entry.grantedBy && mayEscalate[entry.grantedBy]))
    .map(({ display }) => display);
  if (missing.length > 0) {
    throw new PreflightError(
      `you are not allowed to ${missing.join(', ')}; nothing was changed. Ask a cluster admin for these permissions.`,
    );
  }
}
