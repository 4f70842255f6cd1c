// The plugin's exit codes, and the errors that carry one: every error the plugin knows how
// to explain is an ExitCodeError; src/cli/report-error.ts turns any error into one stderr
// line and its code. In the lowest layer, free of imports, so that any layer (kube, engine,
// recipes, verbs, cli) can throw these without loading anything.

export const EXIT = {
  ok: 0,
  /** diff/check-drift found a difference. */
  different: 1,
  usage: 2,
  failure: 3,
  timeout: 124,
  interrupted: 130,
} as const;

export class ExitCodeError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input: unknown verb, flag, component or value; unreadable kubeconfig; unknown context. */
export class UsageError extends ExitCodeError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.usage, options);
  }
}

/** The operation failed for a reason the user should read (refused object, failed preflight...). */
export class FailureError extends ExitCodeError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.failure, options);
  }
}

/** A `--timeout` expired while waiting; the message should say what was awaited and the state left. */
export class CommandTimeoutError extends ExitCodeError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.timeout, options);
  }
}

/** The user pressed Ctrl-C and the verb stopped at a safe point. */
export class InterruptedError extends ExitCodeError {
  constructor(message = 'interrupted', options?: ErrorOptions) {
    super(message, EXIT.interrupted, options);
  }
}

/** Any error's message on one line (a fleet run's entry for a context it could not check). */
export function messageLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/** The line printed for an error, as kubectl prints it. */
export function errorLine(error: unknown): string {
  const line = messageLine(error);
  // KubeApiError already reads "Error from server (Reason): ...", as kubectl prints it.
  return /^Error from server/.test(line) ? line : `error: ${line}`;
}
