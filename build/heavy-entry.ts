// The second bundle: what only cluster-talking verbs need (the verbs' engine and
// recipes, client-node, yaml, diff). Shipped inside the executable as a SEA asset and
// compiled on first use by build/heavy-loader.ts, so `--help` and `version` never parse it.
import * as enable from '../src/verbs/enable.ts';
import * as disable from '../src/verbs/disable.ts';
import * as diff from '../src/verbs/diff.ts';
import * as checkDrift from '../src/verbs/check-drift.ts';
import * as status from '../src/verbs/status.ts';
import * as guard from '../src/verbs/guard.ts';
import * as connect from '../src/kube/connect.ts';

/** Keyed by path under src/, without extension (see HEAVY_MODULES in build/bundle.ts). */
export const modules: Record<string, unknown> = {
  'verbs/enable': enable,
  'verbs/disable': disable,
  'verbs/diff': diff,
  'verbs/check-drift': checkDrift,
  'verbs/status': status,
  'verbs/guard': guard,
  'kube/connect': connect,
};
