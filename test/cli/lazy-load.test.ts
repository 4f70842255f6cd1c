import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, splitHeavy, staticallyReachable } from '../../build/bundle.ts';

// Start-up cost is dominated by these; only verbs that talk to a cluster may load them.
const HEAVY = /node_modules\/(@kubernetes\/client-node|js-yaml|yaml|diff|fast-json-patch|openid-client|undici)\//;

// esbuild builds of the whole CLI: seconds on a loaded 2-core machine, beyond the default 5 s.
describe('start-up stays light', { timeout: 30_000 }, () => {
  it('the bundle reaches no heavy module through static imports (only through lazy ones)', async () => {
    const { metafile } = await build({ ...BUNDLE_OPTIONS, write: false, outfile: 'dist/lazy-check.cjs', metafile: true, minify: false });
    const reachable = [...staticallyReachable(metafile)];
    expect(reachable.filter((path) => HEAVY.test(path))).toEqual([]);
    expect(Object.keys(metafile.inputs).some((path) => path.includes('@kubernetes/client-node'))).toBe(true); // still bundled, for the verbs
  });

  it('yargs is reached only through a lazy import: help pages and version are served from the table parsed at build time (src/cli/prerendered.ts)', async () => {
    const { metafile } = await build({ ...BUNDLE_OPTIONS, write: false, outfile: 'dist/yargs-check.cjs', metafile: true, minify: false, plugins: [splitHeavy] });
    const reachable = [...staticallyReachable(metafile)];
    expect(reachable.filter((path) => /node_modules\/(yargs|yargs-parser|cliui|y18n)\//.test(path))).toEqual([]);
    expect(reachable).toContain('src/cli/prerendered.ts');
    expect(Object.keys(metafile.inputs).some((path) => path.includes('node_modules/yargs/'))).toBe(true); // still bundled, for the rest
  });

  it('the executable\'s main script holds no heavy module at all: they sit in the lazily compiled second bundle', async () => {
    const { metafile } = await build({ ...BUNDLE_OPTIONS, write: false, outfile: 'dist/main-check.cjs', metafile: true, plugins: [splitHeavy] });
    expect(Object.keys(metafile.inputs).filter((path) => HEAVY.test(path))).toEqual([]);
    expect(Object.keys(metafile.inputs).some((path) => path.includes('src/verbs/enable.ts'))).toBe(false);
  });

  it.each([['--help'], ['version'], ['version', '-o', 'yaml'], ['completion', 'bash'], ['__complete', 'enable', '']])(
    '`%s` runs without loading client-node, yaml or diff',
    (...args) => {
      const record = join(mkdtempSync(join(tmpdir(), 'kapsule-ha-loads-')), 'loads.txt');
      execFileSync(process.execPath, ['--import', new URL('./fixtures/record-loads.mjs', import.meta.url).href, 'src/main.ts', ...args], {
        env: { ...process.env, RECORD_LOADS_FILE: record },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const loaded = readFileSync(record, 'utf8').split('\n');
      expect(loaded.some((url) => url.includes('/src/cli/root.ts'))).toBe(true); // the recorder works
      expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
    },
  );
});
