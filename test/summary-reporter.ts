// Ends every run with the plain line "N passed, N failed, N skipped" that CI reads,
// counting tests across both projects (vitest's own summary stays above it).
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((sum, module) => sum + [...module.children.allTests(state)].length, 0);
    const failedFiles = testModules.filter((module) => module.state() === 'failed' && [...module.children.allTests('failed')].length === 0);
    const failed = count('failed') + failedFiles.length + unhandledErrors.length;
    process.stdout.write(`\n${count('passed')} passed, ${failed} failed, ${count('skipped')} skipped\n`);
  }
}
