import { defineConfig } from 'vitest/config';

// Two layers: pure tests run in parallel; tests against the simulator share one
// control plane, so they run one file at a time after a global setup starts it.
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/cli/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'sim',
          include: ['test/sim/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/robustness/**/*.test.ts'],
          globalSetup: ['test/sim/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
