// Parses the commonest invocations with the CLI's own yargs definitions, at build time,
// into the table src/cli/prerendered.ts looks them up in: every help page, `version` and
// the commonest `check-drift`/`status` runs, for the name kubectl runs the plugin under,
// off a terminal and on the common widths.
import { parseInvocation } from '../src/cli/parse.ts';
import { prerenderedKey, type PrerenderedTable } from '../src/cli/prerendered.ts';
import { VERBS, verbName } from '../src/cli/verbs.ts';

/** `kubectl-kapsule_ha` on the PATH, run by kubectl or directly (src/cli/root.ts displayName). */
export const PRERENDERED_NAMES = ['kubectl kapsule-ha'];
/** Off a terminal (100), a terminal of 110 columns or more, the classic 80. */
export const PRERENDERED_WIDTHS = [100, 110, 80];

/** The argument lists served from the table (after root.ts turns `help x` into `x --help`). */
export function prerenderedArgs(): string[][] {
  const helps = [[], ...VERBS.map((command) => [verbName(command)])].flatMap((verb) => [[...verb, '--help'], [...verb, '-h']]);
  // The read-only verbs as people and scripts run them most: yargs (~8 ms of a check-drift's CPU) is then never loaded for them.
  const views = ['check-drift', 'status'].flatMap((verb) => [[verb], [verb, 'all'], [verb, '--all-contexts']]);
  return [...helps, ['version'], ['version', '-o', 'json'], ['version', '-o', 'yaml'], ...views];
}

export function prerender(names = PRERENDERED_NAMES, widths = PRERENDERED_WIDTHS): PrerenderedTable {
  const table: PrerenderedTable = { texts: [], entries: {} };
  for (const name of names) {
    for (const width of widths) {
      for (const args of prerenderedArgs()) {
        const invocation = parseInvocation(args, name, width);
        const key = prerenderedKey(args, name, width);
        if (invocation.kind === 'verb') {
          table.entries[key] = { verb: verbName(invocation.command), argv: invocation.argv };
          continue;
        }
        let index = table.texts.indexOf(invocation.text);
        if (index < 0) index = table.texts.push(invocation.text) - 1;
        table.entries[key] = { text: index };
      }
    }
  }
  return table;
}
