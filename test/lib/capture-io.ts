// An in-memory Io (src/verbs/io.ts) for tests: what a verb wrote, and scripted answers.
import type { Io } from '../../src/verbs/io.ts';

export interface CapturedIo extends Io {
  stdout(): string;
  stderr(): string;
}

/** An in-memory Io for tests; `answers` feed `ask` in order. */
export function captureIo(options: Partial<Pick<Io, 'stdinIsTTY' | 'stdoutIsTTY' | 'stderrIsTTY' | 'columns' | 'env'>> & { answers?: string[] } = {}): CapturedIo {
  let out = '';
  let err = '';
  const answers = [...(options.answers ?? [])];
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    stdinIsTTY: options.stdinIsTTY ?? false,
    stdoutIsTTY: options.stdoutIsTTY ?? false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    columns: options.columns,
    env: options.env ?? {},
    ask: async (question) => {
      err += question;
      return answers.shift();
    },
    stdout: () => out,
    stderr: () => err,
  };
}
