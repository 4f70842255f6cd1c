// The live output of one of `npm test`'s simulator shards (test/run-suite.ts runs them side
// by side): a line per finished file and the tests' own lines, each prefixed with the
// shard's name. The full report (failures, per-file times, the summary line) comes once,
// merged from every shard's blob, at the end.
import type { UserConsoleLog } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';

const shard = process.env.KAPSULE_HA_TEST_SHARD ?? 'sim';

export default class ShardReporter implements Reporter {
  onUserConsoleLog(log: UserConsoleLog): void {
    const lines = log.content.replace(/\n$/, '').split('\n');
    process.stdout.write(lines.map((line: string) => `[${shard}] ${line}\n`).join(''));
  }

  onTestModuleEnd(module: TestModule): void {
    const count = (state: 'passed' | 'failed' | 'skipped') => [...module.children.allTests(state)].length;
    const mark = module.state() === 'failed' ? '✗' : '✓';
    const seconds = (module.diagnostic().duration / 1000).toFixed(1);
    const failed = count('failed') > 0 ? `, ${count('failed')} failed` : '';
    process.stdout.write(`[${shard}] ${mark} ${module.moduleId.replace(`${process.cwd()}/`, '')} (${count('passed')} passed${failed}) ${seconds}s\n`);
  }
}
