// Timing helpers shared by every benchmark: medians, ratios and running cases in turns
// (rotating order each round, so that machine noise hits all cases alike).

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** "median (min–max)" of a benchmark's runs, as its tables show a figure. */
export function medianRange(values: number[], format: (n: number) => string = String): string {
  return `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
}

export interface Case<T> {
  label: string;
  run: () => Promise<T>;
}

/**
 * Runs every case once per round, `warmup` rounds first (discarded), the order rotated
 * each round so no case always follows another. Returns each case's samples.
 */
export async function inTurns<T>(cases: Case<T>[], rounds: number, warmup = 0): Promise<Map<string, T[]>> {
  const samples = new Map<string, T[]>(cases.map((entry) => [entry.label, []]));
  for (let round = -warmup; round < rounds; round++) {
    const shift = ((round % cases.length) + cases.length) % cases.length;
    for (let index = 0; index < cases.length; index++) {
      const entry = cases[(index + shift) % cases.length]!;
      const result = await entry.run();
      if (round >= 0) samples.get(entry.label)!.push(result);
    }
  }
  return samples;
}

/** `a / b` as "0.42×". */
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

export const ms = (value: number): string => value.toFixed(value >= 100 ? 0 : 1);

export const seconds = (valueMs: number): string => (valueMs / 1000).toFixed(2);

/** A target cell: "✅ met" or "❌ missed". */
export const verdict = (met: boolean): string => (met ? '✅ met' : '❌ missed');

/** A Markdown table. */
export function table(header: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const rule = header.map((_, index) => ((align?.[index] ?? (index === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  const cell = (value: string | number) => String(value).replaceAll('|', '\\|');
  return [header.map(cell), rule, ...rows.map((row) => row.map(cell))].map((row) => `| ${row.join(' | ')} |`).join('\n');
}
