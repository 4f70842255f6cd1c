// heavy.cjs's entry is written from what main.cjs imports lazily below the CLI shell
// (build/heavy-entry.ts): every verb that talks to a cluster must be found there, from the
// one verb list (src/cli/verbs.ts), with nothing listed by hand.
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, splitHeavy } from '../../build/bundle.ts';
import { heavyEntry, heavyModulesOf } from '../../build/heavy-entry.ts';
import { VERBS, verbName } from '../../src/cli/verbs.ts';

/** Verbs the CLI shell answers itself (no cluster, nothing of src/verbs). */
const SHELL_VERBS = new Set(['version', 'completion']);

describe('heavy.cjs holds every cluster verb, found from the verb list', { timeout: 30_000 }, () => {
  it('each cluster verb of src/cli/verbs.ts and the connection, and nothing of the shell', async () => {
    const { metafile } = await build({ ...BUNDLE_OPTIONS, write: false, outfile: 'dist/heavy-entry-check.cjs', metafile: true, minify: false, plugins: [splitHeavy] });
    const modules = heavyModulesOf(metafile);
    const clusterVerbs = VERBS.map(verbName).filter((name) => !SHELL_VERBS.has(name));
    expect(clusterVerbs.length).toBeGreaterThan(3);
    for (const name of clusterVerbs) expect(modules, name).toContain(`verbs/${name}`);
    expect(modules).toContain('kube/connect');
    expect(modules.filter((module) => module.startsWith('cli/'))).toEqual([]);
  });

  it('the entry it writes exports each module under the key heavy-loader looks up', () => {
    const { contents } = heavyEntry(['kube/connect', 'verbs/status']);
    expect(contents).toContain("import * as m0 from '../src/kube/connect.ts';");
    expect(contents).toContain('"verbs/status": m1,');
    expect(() => heavyEntry([])).toThrow(/no lazily imported module/);
  });
});
