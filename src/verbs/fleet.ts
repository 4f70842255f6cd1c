// Fleet runs: check-drift, status or diff against many kubeconfig contexts at once. Each
// context gets its own client (credentials, --request-timeout, retries) and an overall
// time limit; a slow or dead cluster is reported as such and never holds up the others.
import { InterruptedError, UsageError } from '../kube/exit-codes.ts';
import { connect } from '../kube/connect.ts';
import { listContexts } from '../kube/kubeconfig.ts';
import { checkContext, type FleetVerbOptions } from './fleet-check.ts';
import { fleetReport, fleetText, type CheckedContext } from './fleet-render.ts';
import type { FleetSelection, FleetVerb } from './fleet-types.ts';
import type { VerbDeps } from './options.ts';
import { printData } from './print.ts';
import { Progress } from './progress.ts';

/** `prod-*` → /^prod-.*$/; names without * or ? match themselves only. */
export function matchContexts(patterns: string[], known: string[]): string[] {
  const missing = patterns.filter((pattern) => !/[*?]/.test(pattern) && !known.includes(pattern));
  if (missing.length > 0) {
    throw new UsageError(`context${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')} not found in the kubeconfig (contexts: ${known.join(', ') || 'none'})`);
  }
  const regexes = patterns.map((pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`));
  const selected = known.filter((name) => regexes.some((regex) => regex.test(name)));
  if (selected.length === 0) throw new UsageError(`no context of the kubeconfig matches ${patterns.map((p) => `"${p}"`).join(', ')} (contexts: ${known.join(', ') || 'none'})`);
  return selected;
}

/** Runs `work` over `items` with at most `limit` at once; results in the items' order. */
export async function mapBounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';

async function checkOne(verb: FleetVerb, options: FleetVerbOptions, fleet: FleetSelection, deps: VerbDeps, name: string, server: string): Promise<CheckedContext> {
  const limit = new AbortController();
  const signal = AbortSignal.any([deps.signal, limit.signal]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    if (fleet.contextTimeoutMs <= 0) return;
    timer = setTimeout(() => {
      limit.abort();
      reject(new Error(`no result within ${fleet.contextTimeoutMs / 1000}s (--context-timeout)`));
    }, fleet.contextTimeoutMs);
  });
  const log: VerbDeps['log'] = (level, message) => deps.log(level, () => `[${name}] ${message()}`);
  try {
    const work = (async () => {
      const kube = await connect({ ...options, context: name }, { log, env: deps.io.env, signal });
      return checkContext(verb, kube, options, name, deps.color);
    })();
    work.catch(() => undefined); // after a timeout nobody awaits it any more
    const check = await Promise.race([work, deadline]);
    return { context: name, server, status: 'ok', ...check };
  } catch (error) {
    const message = limit.signal.aborted ? `no result within ${fleet.contextTimeoutMs / 1000}s (--context-timeout)` : oneLine(error);
    return { context: name, server, status: 'error', error: message };
  } finally {
    clearTimeout(timer);
  }
}

/** Exit 3 when any context could not be checked, else 1 when any differs (not for status), else 0. */
export async function runFleet(verb: FleetVerb, options: FleetVerbOptions & { output: string }, fleet: FleetSelection, deps: VerbDeps): Promise<number> {
  if (verb === 'diff' && deps.io.env.KUBECTL_EXTERNAL_DIFF) {
    throw new UsageError('KUBECTL_EXTERNAL_DIFF is not used by a fleet diff (one unified diff per context): unset it, or diff one --context at a time');
  }
  const known = await listContexts(options, deps.io.env);
  const names = matchContexts(fleet.patterns, known.map((context) => context.name));
  const progress = deps.io.stderrIsTTY ? new Progress(deps.io) : undefined;
  const pending = new Set(names);
  const show = () => progress?.update(`${verb}: ${names.length - pending.size}/${names.length} contexts done; waiting for ${[...pending].join(', ')}`);
  show();
  let entries: CheckedContext[];
  try {
    entries = await mapBounded(names, fleet.parallel, async (name) => {
      const entry = await checkOne(verb, options, fleet, deps, name, known.find((context) => context.name === name)!.server);
      pending.delete(name);
      if (pending.size > 0) show();
      return entry;
    });
  } finally {
    progress?.stop();
  }
  if (deps.signal.aborted) throw new InterruptedError('interrupted: the fleet run stopped before every context was checked');
  const report = fleetReport(verb, entries);
  if (options.output === 'json' || options.output === 'yaml') await printData(deps, report, options.output);
  else deps.io.out(fleetText(report, entries, options.components));
  if (report.failed.length > 0) return 3;
  return report.differs && verb !== 'status' ? 1 : 0;
}
