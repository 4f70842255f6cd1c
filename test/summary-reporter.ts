// Ends every run with the plain line "N passed, N failed, N skipped" that CI reads,
// counting tests across both projects (vitest's own summary stays above it). In `npm test`
// it runs once, on the merged report (test/run-suite.ts), where the files of a shard that
// died before reporting count as failed (KAPSULE_HA_TEST_LOST_FILES).
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((sum, module) => sum + [...module.children.allTests(state)].length, 0);
    const failedFiles = testModules.filter((module) => module.state() === 'failed' && [...module.children.allTests('failed')].length === 0);
    const lostFiles = Number(process.env.KAPSULE_HA_TEST_LOST_FILES ?? 0) || 0;
    const failed = count('failed') + failedFiles.length + unhandledErrors.length + lostFiles;
    process.stdout.write(`\n${count('passed')} passed, ${failed} failed, ${count('skipped')} skipped\n`);
  }
}
