// Entry point of kubectl-kapsule_ha (bundled to one CommonJS file for the executable).
import { runCli } from './cli/root.ts';
import { processIo } from './cli/io.ts';
import { EXIT } from './kube/exit-codes.ts';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) {
    // Second Ctrl-C: the user insists; nothing large is being written at this point.
    process.stderr.write('\ninterrupted\n');
    process.exit(EXIT.interrupted);
  }
  process.stderr.write('\nstopping at the next safe point (Ctrl-C again to quit now)\n');
  interrupt.abort();
});

// A closed pipe (e.g. `| head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// No top-level await: the bundle is CommonJS.
const invokedAs = process.argv[1] ?? process.execPath;
void runCli(process.argv.slice(2), { io: processIo(), invokedAs, signal: interrupt.signal }).then((code) => {
  process.exitCode = code;
});
