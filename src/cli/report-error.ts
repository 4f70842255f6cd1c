// The one place where an error becomes a stderr line and an exit code (kubectl's CheckErr).
import { EXIT, errorLine, type ExitCodeError } from '../kube/exit-codes.ts';
import type { Io } from './io.ts';

/** Writes one line (plus the stack with -v ≥ 1) and returns the exit code. */
export function reportError(error: unknown, io: Io, verbosity: number): number {
  io.err(`${errorLine(error)}\n`);
  if (verbosity >= 1 && error instanceof Error && error.stack) {
    io.err(`${error.stack}\n`);
    if (error.cause instanceof Error && error.cause.stack) io.err(`caused by: ${error.cause.stack}\n`);
  }
  return exitCodeOf(error);
}

export function exitCodeOf(error: unknown): number {
  // By shape, not instanceof: the executable's verbs live in a second bundle with its own
  // copy of the ExitCodeError class (build/heavy-loader.ts).
  const code = (error as Partial<ExitCodeError> | undefined)?.exitCode;
  return typeof code === 'number' && Number.isInteger(code) ? code : EXIT.failure;
}
