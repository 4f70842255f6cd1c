// Which writes of one stage may go to the API server together. A stage's writes never
// depend on each other for safety (that is what stages and their waits are for), but some
// need another object to exist: a workload started before what its pods refer to
// (ServiceAccount, RBAC, ConfigMap) gets refused pods or crash-loops a while, and the API
// server reads a Role to judge who may bind it (without `bind`/`escalate`, a binding to a
// role not yet created is refused). Those go one round later, as Helm orders kinds. A
// Namespace goes before everything (nothing can be created in it before it exists).
import type { WriteStep } from './types.ts';

const SECOND_ROUND = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'RoleBinding', 'ClusterRoleBinding']);

const needsOthers = (step: WriteStep): boolean => step.action !== 'delete' && SECOND_ROUND.has(step.ref.kind);

/**
 * The writes of one stage as rounds: each round's writes are sent concurrently, a round
 * starts once the one before it has been answered. Deletes need no order (deleting a
 * Deployment only starts the garbage collection of its pods), so they go in the first round.
 */
export function writeRounds(writes: WriteStep[]): WriteStep[][] {
  const isNamespace = (step: WriteStep) => step.action !== 'delete' && step.ref.kind === 'Namespace';
  const namespaces = writes.filter(isNamespace);
  const first = writes.filter((step) => !isNamespace(step) && !needsOthers(step));
  const second = writes.filter(needsOthers);
  return [namespaces, first, second].filter((round) => round.length > 0);
}
