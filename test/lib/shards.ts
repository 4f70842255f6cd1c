// How npm test (test/run-suite.ts) places the simulator's test files on its shards.

/** Longest first, each onto the shard with the fewest seconds so far. */
export function spread(files: string[], seconds: Record<string, number>, count: number): string[][] {
  const known = Object.values(seconds).sort((a, b) => a - b);
  const median = known[Math.floor(known.length / 2)] ?? 60;
  const weight = (file: string) => seconds[file] ?? median;
  const shards = Array.from({ length: count }, () => ({ files: [] as string[], seconds: 0 }));
  for (const file of [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b))) {
    const lightest = shards.reduce((min, shard) => (shard.seconds < min.seconds ? shard : min));
    lightest.files.push(file);
    lightest.seconds += weight(file);
  }
  return shards.map((shard) => shard.files.sort()).filter((files) => files.length > 0);
}
