import { describe, expect, it } from 'vitest';
import { useColor } from '../../src/cli/global-flags.ts';

describe('--color', () => {
  it('auto colours only a terminal, and NO_COLOR turns it off', () => {
    expect(useColor('auto', {}, true)).toBe(true);
    expect(useColor('auto', {}, false)).toBe(false);
    expect(useColor('auto', { NO_COLOR: '1' }, true)).toBe(false);
    expect(useColor('auto', { TERM: 'dumb' }, true)).toBe(false);
  });

  it('always and never win over the terminal and NO_COLOR', () => {
    expect(useColor('always', { NO_COLOR: '1' }, false)).toBe(true);
    expect(useColor('never', {}, true)).toBe(false);
  });
});
