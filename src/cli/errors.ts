// The CLI's errors and exit codes live with the lowest layer that raises them (src/kube);
// the CLI re-exports them.
export * from '../kube/exit-errors.ts';
