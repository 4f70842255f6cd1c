// Applies a plan's writes to a FakeCluster the way the API server would store them,
// so pure tests can check that a second plan converges to no writes.
import { applyPatch, deepClone } from '../../src/engine/json-patch.ts';
import type { ComponentPlan } from '../../src/engine/types.ts';
import { writesOf } from '../../src/engine/types.ts';
import { refKey } from '../../src/engine/plan.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import type { FakeCluster } from './fixtures.ts';

let version = 5000;

export function applyToFake(cluster: FakeCluster, plan: ComponentPlan): void {
  for (const step of writesOf(plan)) {
    if (step.action === 'create') {
      const stored = deepClone(step.object) as KubeObject;
      stored.metadata.uid = `created-${++version}`;
      stored.metadata.resourceVersion = String(version);
      cluster.put(stored);
    } else if (step.action === 'patch') {
      const stored = applyPatch(deepClone(step.live), step.patch).newDocument as KubeObject;
      stored.metadata.resourceVersion = String(++version);
      cluster.put(stored);
    } else {
      cluster.objects.delete(refKey(step.ref));
    }
  }
}
