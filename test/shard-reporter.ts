// The live output of one of `npm test`'s shards (test/run-suite.ts runs the simulator's
// side by side): a line per finished file, prefixed with the shard's name. The full report
// (failures, the tests' own output, per-file times, the summary line) comes once, merged
// from every shard's blob, at the end.
import type { Reporter, TestModule } from 'vitest/node';

const shard = process.env.KAPSULE_HA_TEST_SHARD ?? 'sim';

export default class ShardReporter implements Reporter {
  onTestModuleEnd(module: TestModule): void {
    const count = (state: 'passed' | 'failed' | 'skipped') => [...module.children.allTests(state)].length;
    const mark = module.state() === 'failed' ? '✗' : '✓';
    const seconds = (module.diagnostic().duration / 1000).toFixed(1);
    const failed = count('failed') > 0 ? `, ${count('failed')} failed` : '';
    process.stdout.write(`[${shard}] ${mark} ${module.moduleId.replace(`${process.cwd()}/`, '')} (${count('passed')} passed${failed}) ${seconds}s\n`);
  }
}
