// guard's flags are checked before anything connects: one line, exit 2.
import { describe, expect, it } from 'vitest';
import { cli } from '../lib/in-process-cli.ts';

const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('guard flags', () => {
  it.each([
    [['guard', 'install', '--schedule', '61 * * * *'], /^error: invalid value "61 \* \* \* \*" for --schedule: minute "61": 61 is outside 0-59/],
    [['guard', 'install', '--schedule', 'every day'], /--schedule: it has 2 fields/],
    [['guard', 'install', '--frequency', '1h'], /^error: unknown flag: --frequency|Unknown argument/],
    [['guard', 'upgrade'], /unknown guard action "upgrade": expected show, install, diff or remove/],
    [['guard', 'remove', '--repair'], /go with "guard install" or "guard diff", not "guard remove"/],
    [['guard', 'install', '--image', 'has space'], /for --image/],
    [['guard', 'install', '--all-contexts'], /guard/],
  ])('%j is refused in one line with exit 2', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('completes its actions, without the one its pod runs', async () => {
    const result = await cli(['__complete', 'guard', '']);
    expect(result.stdout.split('\n').filter((line) => line && !line.startsWith(':'))).toEqual(['show', 'install', 'diff', 'remove']);
  });
});
