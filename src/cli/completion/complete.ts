// `__complete <words...>`: candidates for the last word, in cobra's protocol (one per
// line, `value<TAB>description`, then `:<directive>`), which kubectl expects from a
// plugin's kubectl_complete-* helper and which our own shell scripts read too.
import yargs, { type Argv } from 'yargs';
import { addGlobalFlags, GLOBAL_FLAGS, OUTPUT_FLAG } from '../global-flags.ts';
import { DRY_RUN_FLAG } from '../plan-flags.ts';
import { VERBS, verbName } from '../verbs.ts';
import type { Io } from '../io.ts';
import { COMPONENTS, GUARD_ACTIONS } from '../../verbs/options.ts';
import { SHELLS } from '../commands/completion.ts';

const DIRECTIVE_DEFAULT = 0; // the shell may complete file names
const DIRECTIVE_NO_FILES = 4;

/** The values a flag accepts, by each of its names, from the flags' specs. */
const FLAG_VALUES: Record<string, readonly string[]> = Object.fromEntries(
  [...GLOBAL_FLAGS, OUTPUT_FLAG, DRY_RUN_FLAG].flatMap(({ name, alias, choices }) => (choices ? [name, ...(alias ? [alias] : [])].map((spelling) => [spelling, choices]) : [])),
);

const POSITIONALS = new Set(['components', 'shell', 'action', 'help', 'h']);

interface FlagSpec {
  names: string[];
  takesValue: boolean;
}

export function runComplete(words: string[], io: Io): number {
  const { candidates, directive } = complete(words);
  io.out(`${candidates.map((candidate) => `${candidate}\n`).join('')}:${directive}\n`);
  return 0;
}

export function complete(words: string[]): { candidates: string[]; directive: number } {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const verb = VERBS.find((command) => before.includes(verbName(command)));
  const flags = flagSpecs(verb ? (parser) => verb.builder(parser) : (parser) => parser);
  const previous = before.at(-1);
  const previousFlag = previous?.startsWith('-') && !previous.includes('=') ? flags.find((flag) => flag.names.includes(previous.replace(/^-+/, ''))) : undefined;

  if (previousFlag?.takesValue) {
    const values = previousFlag.names.map((name) => FLAG_VALUES[name]).find((list) => list !== undefined);
    return values ? done(filter(values, current)) : { candidates: [], directive: DIRECTIVE_DEFAULT };
  }
  if (current.startsWith('-')) {
    const names = flags.flatMap((flag) => flag.names.map((name) => (name.length === 1 ? `-${name}` : `--${name}`)));
    return done(filter(names, current));
  }
  if (!verb) return done(VERBS.map((command) => `${verbName(command)}\t${command.describe}`).filter((line) => line.startsWith(current)));
  if (verbName(verb) === 'completion') return done(filter(before.some((word) => (SHELLS as readonly string[]).includes(word)) ? [] : SHELLS, current));
  if (verbName(verb) === 'version') return done([]);
  // `run` is what the guard's pod runs, not offered to people.
  if (verbName(verb) === 'guard') return done(filter(before.some((word) => (GUARD_ACTIONS as readonly string[]).includes(word)) ? [] : GUARD_ACTIONS.filter((action) => action !== 'run'), current));
  const chosen = new Set(before);
  return done(filter([...COMPONENTS, 'all'].filter((name) => !chosen.has(name)), current));
}

function done(candidates: string[]): { candidates: string[]; directive: number } {
  return { candidates, directive: DIRECTIVE_NO_FILES };
}

function filter(values: readonly string[], prefix: string): string[] {
  return values.filter((value) => value.startsWith(prefix));
}

/** The flags yargs knows for the root plus one verb, so that completion never lists a stale flag. */
function flagSpecs(build: (parser: Argv) => Argv): FlagSpec[] {
  const parser = build(addGlobalFlags(yargs()).version(false));
  // getOptions() exists at run time but is missing from @types/yargs.
  const options = (parser as unknown as { getOptions(): unknown }).getOptions() as { key: Record<string, unknown>; alias: Record<string, string[]>; boolean: string[] };
  const groups = new Map<string, FlagSpec>();
  for (const key of Object.keys(options.key)) {
    if (POSITIONALS.has(key) || /[A-Z]/.test(key)) continue; // camelCase copies yargs adds
    const names = [key, ...(options.alias[key] ?? [])].filter((name) => !/[A-Z]/.test(name)).sort((a, b) => b.length - a.length);
    groups.set(names[0]!, { names, takesValue: !names.some((name) => options.boolean.includes(name)) });
  }
  return [...groups.values(), { names: ['help', 'h'], takesValue: false }];
}
