// The I/O seam (kubectl's IOStreams): verbs write through it (tests capture it with
// test/lib/capture-io.ts).
// Data goes to `out`, messages and progress to `err`.

import { isatty } from 'node:tty';
import type { Logger } from '../kube/types.ts';
import type { Io } from '../verbs/io.ts';

export type { Io, Logger };

export function makeLogger(io: Io, verbosity: number): Logger {
  return (level, message) => {
    if (verbosity >= level) io.err(`${message()}\n`);
  };
}

export function processIo(): Io {
  // isatty() rather than process.stdin.isTTY: creating process.stdin loads Node's stream
  // modules, a few milliseconds of every start-up, for a stream only `ask` reads.
  const stdoutIsTTY = isatty(1);
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    stdinIsTTY: isatty(0),
    stdoutIsTTY,
    stderrIsTTY: isatty(2),
    columns: stdoutIsTTY ? process.stdout.columns : undefined,
    env: process.env,
    ask: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } catch {
        return undefined;
      } finally {
        rl.close();
      }
    },
  };
}
