// Makes the V8 code cache of heavy.cjs with the very Node binary the executable is made
// from (the pinned runtime running this build). Run as a child process so that no build
// tooling (esbuild, flags) is in the V8 heap or flags when the cache is made.
//
// Before the cache is taken, the bundle is run through what every cluster verb does
// first — load a Kapsule-like kubeconfig (yaml), build its credentials, transport and
// client, no request sent — then through `check-drift all` and `diff all` against the
// objects of build/warm-up-cluster.json (recorded from the simulator, served from memory),
// so that the functions V8 compiles lazily on those paths (planning, comparing,
// rendering) are in the cache too, not only the top-level code.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { heavyScript } from './heavy-loader.ts';

const [source, output] = process.argv.slice(2);
if (!source || !output) throw new Error('usage: heavy-cache.ts <heavy.cjs> <heavy.cache>');
const script = heavyScript(readFileSync(source, 'utf8'), source);
if (process.env.KAPSULE_HA_COLD_CACHE !== '1') await warmUp(script, source);
writeFileSync(output, script.createCachedData());

type Wrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
type Verb = { run: (options: object, deps: object) => Promise<unknown> };
type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** The objects of build/warm-up-cluster.json behind the reads a verb plans from; any write fails. */
function recordedCluster(): object {
  const recorded = JSON.parse(readFileSync('build/warm-up-cluster.json', 'utf8')) as { nodes: KubeObject[]; podDisruptionBudgets: KubeObject[]; objects: KubeObject[] };
  const same = (object: KubeObject, ref: KubeObject['metadata'] & { apiVersion: string; kind: string }) =>
    object.apiVersion === ref.apiVersion && object.kind === ref.kind && object.metadata.name === ref.name && object.metadata.namespace === ref.namespace;
  return {
    get: async (ref: KubeObject['metadata'] & { apiVersion: string; kind: string }) => structuredClone(recorded.objects.find((object) => same(object, ref))),
    // Lists of other kinds too (of what was recorded), should reads become lists.
    list: async (apiVersion: string, kind: string, options?: { namespace?: string }) =>
      structuredClone(
        kind === 'Node'
          ? recorded.nodes
          : kind === 'PodDisruptionBudget'
            ? recorded.podDisruptionBudgets
            : recorded.objects.filter((object) => object.apiVersion === apiVersion && object.kind === kind && (!options?.namespace || object.metadata.namespace === options.namespace)),
      ),
  };
}

function silentIo(): object {
  return { out: () => {}, err: () => {}, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, columns: undefined, env: {}, ask: async () => undefined };
}

async function warmUp(compiled: ReturnType<typeof heavyScript>, filename: string): Promise<void> {
  const module: { exports: { modules?: Record<string, { connect?: (options: object, environment: object) => Promise<unknown> }> } } = { exports: {} };
  (compiled.runInThisContext() as Wrapper)(module.exports, createRequire(resolve(filename)), module, filename, dirname(filename));
  const modules = module.exports.modules as Record<string, { connect?: (options: object, environment: object) => Promise<unknown> } & Partial<Verb>> | undefined;
  const connect = modules?.['kube/connect']?.connect;
  if (!connect) throw new Error('heavy.cjs has no kube/connect');
  const folder = mkdtempSync(join(tmpdir(), 'kapsule-ha-cache-'));
  try {
    const kubeconfig = join(folder, 'config');
    const data = Buffer.alloc(1200, 'warm-up').toString('base64');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'clusters:',
        '- name: "warm-up"',
        '  cluster:',
        `    certificate-authority-data: ${data}`,
        '    server: "https://127.0.0.1:6443"',
        'contexts:',
        '- name: admin@warm-up',
        '  context:',
        '    cluster: "warm-up"',
        '    user: warm-up-admin',
        'current-context: admin@warm-up',
        'kind: Config',
        'preferences: {}',
        'users:',
        '- name: warm-up-admin',
        '  user:',
        "    token: '00000000-0000-0000-0000-000000000000'",
        '',
      ].join('\n'),
    );
    const options = { kubeconfig, context: undefined, cluster: undefined, user: undefined, namespace: 'kube-system', requestTimeoutMs: 0, verbosity: 0, color: 'never', output: 'text' };
    await connect(options, { log: () => {}, env: {} });
    const deps = { io: silentIo(), kube: async () => recordedCluster(), signal: new AbortController().signal, log: () => {}, color: false };
    const components = ['cilium-operator', 'coredns', 'metrics-server'];
    await (modules['verbs/check-drift'] as Verb).run({ ...options, components }, deps);
    await (modules['verbs/diff'] as Verb).run({ ...options, components, disable: false, force: false, yes: false, dryRun: 'none', timeoutMs: 0 }, deps);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
