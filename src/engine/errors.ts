// The engine's errors: a cluster it may not change (preflight, an object not ours), a wait past
// --timeout, a plan stopped part way. Their exit codes come from kube/exit-codes.ts.
import { CommandTimeoutError, FailureError } from '../kube/exit-codes.ts';
import type { ObjectRef } from '../kube/types.ts';

export const describeRef = (ref: ObjectRef): string =>
  `${ref.kind.toLowerCase()}/${ref.name}${ref.namespace ? ` in namespace ${ref.namespace}` : ''}`;

/** A problem found before any write: the cluster is not in a state we may change. Exit 3. */
export class PreflightError extends FailureError {}

export class ForeignObjectError extends PreflightError {
  constructor(ref: ObjectRef) {
    super(
      `${describeRef(ref)} exists but was not created by kubectl-kapsule-ha (no label ` +
        `app.kubernetes.io/managed-by=kubectl-kapsule-ha); refusing to modify or delete it. ` +
        `Rename or remove it yourself (it may come from the manual procedure), then retry.`,
    );
  }
}

/** A wait ran past --timeout. Exit 124, as kubectl and timeout(1) do. */
export class WaitTimeoutError extends CommandTimeoutError {}

/** A write failed part way through a plan: says where it stopped and that a re-run goes on from there. Exit 3. */
export class StoppedError extends FailureError {}
