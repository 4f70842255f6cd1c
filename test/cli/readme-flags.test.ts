// README's "Global flags" table is the users' view of the one flag table
// (src/cli/global-flags.ts, src/kube/flags.ts): a flag added there and not documented fails here.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { GLOBAL_FLAGS, OUTPUT_FLAG } from '../../src/cli/global-flags.ts';
import { flagForm } from '../../src/kube/flags.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Global flags'), readme.indexOf('\n## ', readme.indexOf('## Global flags') + 1));

describe('README documents every global flag', () => {
  it.each([...GLOBAL_FLAGS, OUTPUT_FLAG].map((spec) => [flagForm(spec.name)]))('%s', (form) => {
    // In a table cell's code span: `--token TOKEN`, `-n, --namespace`, `-v N`.
    expect(section).toMatch(new RegExp(`\`[^\`]*${form}(?![\\w-])`));
  });
});
