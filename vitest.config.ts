import { defineConfig } from 'vitest/config';

/** The files of the `sim` project; `npm test` (test/run-suite.ts) spreads them over shards. */
export const simTestFiles = ['test/sim/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/robustness/**/*.test.ts'];

// Two layers: pure tests run in parallel; tests against the simulator share one
// control plane, so they run one file at a time after a global setup starts it. The
// layers run one after the other (groupOrder): on a 2-core machine the unit tests' CPU
// bursts would otherwise land in the simulator tests' waits and races.
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'sim',
          include: simTestFiles,
          globalSetup: ['test/sim/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
