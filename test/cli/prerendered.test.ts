// The help pages and `version` the executable serves without yargs (src/cli/prerendered.ts)
// must be exactly what yargs gives, for every verb: the table is built by build/prerender.ts.
import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../src/cli/parse.ts';
import { lookupPrerendered } from '../../src/cli/prerendered.ts';
import { VERBS, verbName } from '../../src/cli/verbs.ts';
import { prerender, prerenderedArgs, PRERENDERED_NAMES, PRERENDERED_WIDTHS } from '../../build/prerender.ts';
import { cli } from '../lib/in-process-cli.ts';

const table = prerender();
const cases = PRERENDERED_NAMES.flatMap((name) => PRERENDERED_WIDTHS.flatMap((width) => prerenderedArgs().map((args) => ({ name, width, args }))));

describe('invocations parsed at build time', () => {
  it('cover every verb\'s help, the root help and version', () => {
    const served = prerenderedArgs().map((args) => args.join(' '));
    for (const verb of VERBS.map(verbName)) expect(served).toEqual(expect.arrayContaining([`${verb} --help`, `${verb} -h`]));
    expect(served).toEqual(expect.arrayContaining(['--help', '-h', 'version']));
  });

  it.each(cases)('$name $args at width $width: the same invocation as yargs gives', ({ name, width, args }) => {
    const fast = lookupPrerendered(args, name, width, table);
    const parsed = parseInvocation(args, name, width);
    expect(fast).toBeDefined();
    if (parsed.kind === 'output') expect(fast).toEqual(parsed);
    else {
      expect(fast?.kind).toBe('verb');
      if (fast?.kind !== 'verb') return;
      expect(fast.command).toBe(parsed.command);
      expect(fast.argv).toEqual(parsed.argv);
      expect(fast.command.options(fast.argv)).toEqual(parsed.command.options(parsed.argv));
    }
  });

  it('leave everything else to yargs: other flags, widths, names, unknown verbs', () => {
    for (const [args, name, columns] of [
      [['version', '--server'], 'kubectl kapsule-ha', undefined],
      [['enable', 'all', '--help'], 'kubectl kapsule-ha', undefined],
      [['--help'], 'kubectl kapsule-ha', 72],
      [['--help'], 'kapsule-ha', undefined],
      [['nope', '--help'], 'kubectl kapsule-ha', undefined],
      [[], 'kubectl kapsule-ha', undefined],
    ] as const) {
      expect(lookupPrerendered([...args], name, columns, table)).toBeUndefined();
    }
  });

  it('a terminal wider than 110 columns gets the 110-column page, as yargs would', () => {
    expect(lookupPrerendered(['--help'], 'kubectl kapsule-ha', 200, table)).toEqual(parseInvocation(['--help'], 'kubectl kapsule-ha', 200));
  });

  it('from source, without the built table, everything goes through yargs with the same result', async () => {
    expect(lookupPrerendered(['--help'], 'kubectl kapsule-ha', undefined)).toBeUndefined();
    const result = await cli(['check-drift', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe((lookupPrerendered(['check-drift', '--help'], 'kubectl kapsule-ha', undefined, table) as { text: string }).text);
  });
});
