// The mark that tells the objects we created from everyone else's: the engine refuses to
// write over an object that should be ours and is not (ForeignObjectError).

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kubectl-kapsule-ha';

export const isOurs = (labels: Record<string, string> | undefined): boolean =>
  labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
