// The I/O seam (kubectl's IOStreams) as verbs see it; src/cli/io.ts makes the real one.
// Data goes to `out`, messages and progress to `err`.

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Terminal width when stdout is a terminal. */
  readonly columns: number | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes the question on stderr and reads one line of stdin; undefined at end of input. */
  ask(question: string): Promise<string | undefined>;
}
