// Records what `check-drift all` reads from a Kapsule-like cluster with every component
// enabled (the simulator after `enable all`) into build/warm-up-cluster.json: the objects
// build/heavy-cache.ts plans against, without a cluster, to warm the code cache of the
// verbs' planning path. Re-run when the recipes change much (a stale file still warms
// most of it: planning, comparing, rendering a drift).
//   KUBECONFIG=… node build/record-warm-up.ts
import { writeFileSync } from 'node:fs';
import { connect } from '../src/kube/connect.ts';
import { readSnapshot } from '../src/engine/read.ts';
import { RECIPES } from '../src/recipes/index.ts';
import type { KubeObject } from '../src/kube/types.ts';

const options = { kubeconfig: undefined, context: undefined, cluster: undefined, user: undefined, namespace: 'kube-system', requestTimeoutMs: 0, verbosity: 0, color: 'never' as const, output: 'text' as const };
const kube = await connect(options, { log: () => {}, env: process.env });
const recipes = Object.values(RECIPES);
const snapshot = await readSnapshot(kube, 'kube-system', recipes);
const slim = (object: KubeObject): KubeObject => ({ ...object, metadata: { ...object.metadata, managedFields: undefined } });
const objects = [...snapshot.live.values()].filter((object): object is KubeObject => object !== undefined).map(slim);
writeFileSync(
  'build/warm-up-cluster.json',
  `${JSON.stringify({ nodes: snapshot.view.nodes.map(slim), podDisruptionBudgets: snapshot.view.podDisruptionBudgets.map(slim), objects })}\n`,
);
process.stderr.write(`build/warm-up-cluster.json: ${snapshot.view.nodes.length} nodes, ${objects.length} objects\n`);
process.exit(0);
