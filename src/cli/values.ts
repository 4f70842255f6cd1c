// Parsers for flag values. Each throws UsageError with a one-line message naming the flag.
import { UsageError } from './errors.ts';
import { COMPONENTS, type Component } from '../verbs/options.ts';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go/kubectl durations (30s, 5m, 1h30m, 500ms); a bare number is seconds; 0 means no limit. */
export function parseDuration(flag: string, value: unknown): number {
  const text = String(value ?? '').trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  const consumed = parts.map((match) => match[0]).join('');
  if (parts.length === 0 || consumed !== text) {
    throw new UsageError(`invalid value "${text}" for --${flag}: expected a duration such as 30s, 5m or 1h (0 for none)`);
  }
  return Math.round(parts.reduce((total, [, amount, unit]) => total + Number(amount) * (UNIT_MS[unit!] ?? 0), 0));
}

export function parseCount(flag: string, value: unknown, minimum: number): number {
  const number = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isInteger(number) || number < minimum) {
    throw new UsageError(`invalid value "${String(value)}" for --${flag}: expected a whole number of at least ${minimum}`);
  }
  return number;
}

export function parsePositiveNumber(flag: string, value: unknown): number {
  const number = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isFinite(number) || number <= 0) {
    throw new UsageError(`invalid value "${String(value)}" for --${flag}: expected a number above 0`);
  }
  return number;
}

export function parseChoice<T extends string>(flag: string, value: unknown, choices: readonly T[]): T {
  const text = String(value);
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`invalid value "${text}" for --${flag}: expected one of ${choices.join(', ')}`);
  }
  return text as T;
}

/** Positional components: several allowed, `all` expands; none given means `fallback`. */
export function parseComponents(values: unknown, fallback: 'all' | 'required'): Component[] {
  const given = (Array.isArray(values) ? values : values === undefined ? [] : [values]).map(String);
  if (given.length === 0) {
    if (fallback === 'required') {
      throw new UsageError(`name a component: ${COMPONENTS.join(', ')} or all`);
    }
    return [...COMPONENTS];
  }
  for (const name of given) {
    if (name !== 'all' && !(COMPONENTS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown component "${name}": expected ${COMPONENTS.join(', ')} or all`);
    }
  }
  return COMPONENTS.filter((component) => given.includes('all') || given.includes(component));
}

// A pool name ends up as a label value in node affinity.
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** --pools a,b → [a, b]; --pools "" or --unpin → [] (remove pinning); neither → undefined. */
export function parsePools(pools: unknown, unpin: boolean): string[] | undefined {
  if (unpin) {
    if (pools !== undefined && String(pools) !== '') {
      throw new UsageError('--unpin and --pools with pool names contradict each other');
    }
    return [];
  }
  if (pools === undefined) return undefined;
  const names = (Array.isArray(pools) ? pools : [pools]).flatMap((value) => String(value).split(','));
  const trimmed = names.map((name) => name.trim()).filter((name) => name !== '');
  for (const name of trimmed) {
    if (!LABEL_VALUE.test(name)) {
      throw new UsageError(`invalid pool name "${name}" for --pools: expected a Kubernetes label value`);
    }
  }
  return [...new Set(trimmed)];
}

/** kubectl-style "last one wins" for a flag given twice. */
export function lastValue(value: unknown): unknown {
  return Array.isArray(value) ? value.at(-1) : value;
}
