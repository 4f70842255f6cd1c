import { describe, expect, it } from 'vitest';
import { captureIo } from '../lib/capture-io.ts';
import { Progress } from '../../src/verbs/progress.ts';

describe('Progress', () => {
  it('writes one plain line per change when stderr is not a terminal (CI logs)', () => {
    const io = captureIo();
    const progress = new Progress(io);
    progress.update('waiting for x: 0/3');
    progress.update('waiting for x: 2/3');
    progress.done('x Available (0.4s)');
    progress.stop();
    expect(io.stderr()).toBe('waiting for x: 0/3\nwaiting for x: 2/3\nx Available (0.4s)\n');
  });

  it('rewrites one spinner line on a terminal and leaves it cleared', () => {
    const io = captureIo({ stderrIsTTY: true, columns: 40 });
    const progress = new Progress(io);
    progress.update('waiting for a very long description that does not fit the terminal width');
    progress.stop();
    const [drawn, cleared] = io.stderr().split('\r\x1b[2K').filter(Boolean);
    expect(drawn).toBe('⠋ waiting for a very long description…');
    expect(drawn!.length).toBeLessThanOrEqual(40);
    expect(cleared).toBeUndefined();
    expect(io.stderr().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('shows waits running side by side on one spinner line, and keeps the others when one ends', () => {
    const io = captureIo({ stderrIsTTY: true, columns: 200 });
    const progress = new Progress(io);
    progress.update('coredns: waiting for a', 'coredns');
    progress.update('metrics-server: waiting for b', 'metrics-server');
    progress.done('coredns: a (1.0s)', 'coredns');
    const frames = io.stderr().split('\r\x1b[2K').filter(Boolean);
    progress.stop();
    expect(frames).toEqual(['⠋ coredns: waiting for a', '⠙ coredns: waiting for a · metrics-server: waiting for b', '✓ coredns: a (1.0s)\n', '⠹ metrics-server: waiting for b']);
  });
});
