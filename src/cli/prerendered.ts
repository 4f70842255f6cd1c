// The commonest invocations (every help page, `version`) parsed once at build time by the
// very yargs definitions (build/prerender.ts) and looked up here, so that they start
// without loading yargs: most of what they cost is start-up. A lookup gives the same
// Invocation that parseInvocation would; anything else (other flags, another terminal
// width or program name) goes through yargs. test/cli/prerendered.test.ts compares both.
import type { Invocation } from './command.ts';
import type { ParsedArgs } from './global-flags.ts';
import { VERBS, verbName } from './verbs.ts';

/** Built by build/prerender.ts; keys from prerenderedKey(). */
export interface PrerenderedTable {
  /** Help texts, each once (`--help` and `-h` share theirs). */
  texts: string[];
  entries: Record<string, { text: number } | { verb: string; argv: ParsedArgs }>;
}

/** The table as JSON, defined by the bundler (build/bundle.ts) in the executable only; from source, everything is parsed. */
declare const __KAPSULE_HA_PRERENDERED__: string | undefined;
let builtIn: PrerenderedTable | undefined;
function builtInTable(): PrerenderedTable | undefined {
  if (typeof __KAPSULE_HA_PRERENDERED__ === 'undefined') return undefined;
  builtIn ??= JSON.parse(__KAPSULE_HA_PRERENDERED__) as PrerenderedTable;
  return builtIn;
}

/** The help width yargs is given (parse.ts): the terminal's, at most 110; 100 off a terminal. */
export function helpWidth(columns: number | undefined): number {
  return Math.min(110, columns ?? 100);
}

export function prerenderedKey(args: string[], scriptName: string, width: number): string {
  return [scriptName, width, ...args].join('\0');
}

export function lookupPrerendered(args: string[], scriptName: string, columns: number | undefined, table = builtInTable()): Invocation | undefined {
  const entry = table?.entries[prerenderedKey(args, scriptName, helpWidth(columns))];
  if (!entry) return undefined;
  if ('text' in entry) return { kind: 'output', text: table!.texts[entry.text]! };
  const command = VERBS.find((candidate) => verbName(candidate) === entry.verb);
  return command ? { kind: 'verb', command, argv: structuredClone(entry.argv) } : undefined;
}
