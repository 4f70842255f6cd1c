// Probe (not part of npm run bench): what the second bundle (heavy.cjs, build/heavy-entry.ts) is
// made of, by package, as built (esbuild, minified), and what a cluster verb evaluates.
//   node bench/probes/heavy-bundle.ts
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { heavyBuild, heavyModules } from '../../build/bundle.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'kapsule-ha-heavy-'));
try {
  const result = await build({ ...heavyBuild(await heavyModules(), path.join(dir, 'heavy.cjs')), metafile: true, logLevel: 'error' });
  const output = Object.values(result.metafile.outputs)[0]!;
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match ? match[1]! : `src/${input.split('/')[1] ?? ''}`;
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  process.stdout.write(`heavy.cjs: ${(output.bytes / 1024).toFixed(0)} KiB\n`);
  for (const [key, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 20)) process.stdout.write(`${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${key}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
