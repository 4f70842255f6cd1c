import { describe, expect, it } from 'vitest';
import { spread } from '../lib/shards.ts';

describe("npm test's shards", () => {
  it('places the longest files first, each on the least loaded shard, and keeps every file once', () => {
    const seconds = { a: 300, b: 160, c: 140, d: 100, e: 60, f: 40 };
    const shards = spread(Object.keys(seconds), seconds, 3);
    expect(shards).toEqual([['a'], ['b', 'e', 'f'], ['c', 'd']]);
    expect(shards.flat().sort()).toEqual(Object.keys(seconds));
  });

  it('counts a file without a measured time as the median, and never makes an empty shard', () => {
    expect(spread(['new', 'a', 'b'], { a: 10, b: 30, c: 20 }, 2)).toEqual([['b'], ['a', 'new']]);
    expect(spread(['a'], { a: 10 }, 3)).toEqual([['a']]);
  });
});
