// Probe (not part of npm run bench): what loading the kubeconfig through client-node costs
// a cluster verb. Bundles two entries like the build does (esbuild, CommonJS, minified) and
// runs each in a fresh node with a warm compile cache, in turns:
//   - client-node: new KubeConfig(), loadFromDefault(), applyToHTTPSOptions() (src/kube before 48c0e6d;
//     since then src/kube/kubeconfig.ts parses with yaml and client-node is only a fallback)
//   - yaml: parse the same file with the yaml package (already in the heavy bundle) and pick token and CA
//   node bench/probes/kubeconfig-load.ts    (needs a simulator for its kubeconfig)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { sim } from '../lib/cluster.ts';
import { inTurns, median, table } from '../lib/stats.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-probe-'));
const entries: Record<string, string> = {
  'client-node': `import { KubeConfig } from '@kubernetes/client-node';
const kc = new KubeConfig(); kc.loadFromDefault();
const options = {}; kc.applyToHTTPSOptions(options).then(() => { if (!options.ca) process.exitCode = 1; });`,
  yaml: `import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
const c = parse(readFileSync(process.env.KUBECONFIG, 'utf8'));
const context = c.contexts.find((x) => x.name === c['current-context']).context;
const user = c.users.find((x) => x.name === context.user).user;
const cluster = c.clusters.find((x) => x.name === context.cluster).cluster;
const options = { ca: Buffer.from(cluster['certificate-authority-data'], 'base64'), headers: { Authorization: 'Bearer ' + user.token } };
if (!options.ca.length) process.exitCode = 1;`,
};
try {
  const bundles: Record<string, string> = {};
  for (const [name, source] of Object.entries(entries)) {
    const entry = path.join(repo, 'node_modules', `.kapsule-ha-probe-${name}.mjs`);
    writeFileSync(entry, source);
    bundles[name] = path.join(dir, `${name}.cjs`);
    try {
      await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', minify: true, outfile: bundles[name], logLevel: 'error' });
    } finally {
      rmSync(entry);
    }
  }
  const env = { ...process.env, KUBECONFIG: sim.info().kubeconfig, NODE_COMPILE_CACHE: path.join(dir, 'compile-cache') };
  const time = (args: string[]) => async () => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')}: ${result.stderr}`);
    return performance.now() - started;
  };
  const samples = await inTurns(
    [{ label: 'node -e 0', run: time(['-e', '0']) }, ...Object.entries(bundles).map(([name, file]) => ({ label: `${name} (${(statSync(file).size / 1024).toFixed(0)} KiB bundle)`, run: time([file]) }))],
    15,
    2,
  );
  process.stdout.write(`${table(['fresh node process', 'median wall ms'], [...samples].map(([label, runs]) => [label, median(runs).toFixed(0)]))}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
