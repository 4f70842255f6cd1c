// Which writes of one stage may go to the API server together. A stage's writes never
// depend on each other for safety (that is what stages and their waits are for), but a
// workload started before what its pods refer to (ServiceAccount, RBAC, ConfigMap) gets
// refused pods or crash-loops a while: those go one round earlier, as Helm orders kinds.
import type { WriteStep } from './types.ts';

const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

const startsPods = (step: WriteStep): boolean => step.action !== 'delete' && WORKLOADS.has(step.ref.kind);

/**
 * The writes of one stage as rounds: each round's writes are sent concurrently, a round
 * starts once the one before it has been answered. Deletes need no order (deleting a
 * Deployment only starts the garbage collection of its pods), so they go in the first round.
 */
export function writeRounds(writes: WriteStep[]): WriteStep[][] {
  const first = writes.filter((step) => !startsPods(step));
  const second = writes.filter(startsPods);
  return [first, second].filter((round) => round.length > 0);
}
