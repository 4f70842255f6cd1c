// The one list of verbs (a bundle has no folder to scan), in help's order. Adding a verb is
// one line here: its command's lazy import of src/verbs/<verb>.ts is what puts the
// implementation into the executable's second bundle (build/heavy-entry.ts).
import type { VerbCommand } from './command.ts';
import { enableCommand } from './commands/enable.ts';
import { disableCommand } from './commands/disable.ts';
import { diffCommand } from './commands/diff.ts';
import { checkDriftCommand } from './commands/check-drift.ts';
import { statusCommand } from './commands/status.ts';
import { guardCommand } from './commands/guard.ts';
import { versionCommand } from './commands/version.ts';
import { completionCommand } from './commands/completion.ts';

export const VERBS: ReadonlyArray<VerbCommand<unknown>> = [
  enableCommand,
  disableCommand,
  diffCommand,
  checkDriftCommand,
  statusCommand,
  guardCommand,
  versionCommand,
  completionCommand,
];

export function verbName(command: VerbCommand<unknown>): string {
  return command.usage.split(' ')[0]!;
}
