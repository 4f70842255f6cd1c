// Fleet runs: one verb's report of a cluster against many kubeconfig contexts at once. Each
// context gets its own client (credentials, --request-timeout, retries), closed when done,
// and an overall time limit; a slow or dead cluster is reported as such and never holds up
// the others. Memory stays bounded: each context's result is cut to what the output needs
// as soon as it is done, and text is printed, in the contexts' order, as soon as it can be.
import { InterruptedError, UsageError, messageLine } from '../kube/exit-codes.ts';
import { openConnection } from '../kube/connect.ts';
import { listContexts } from '../kube/kubeconfig.ts';
import { mapBounded } from '../engine/map-bounded.ts';
import type { ClusterReport, ClusterReporter, FleetVerbOptions } from './cluster-report.ts';
import { contextText, fleetFooter, fleetReport } from './fleet-render.ts';
import type { ContextEntry, FleetSelection } from './fleet-types.ts';
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

/** Emits chunks in their index order, each as soon as every earlier one has been. */
export class InOrder {
  private next = 0;
  private readonly waiting = new Map<number, string>();
  private readonly emit: (chunk: string) => void;

  constructor(emit: (chunk: string) => void) {
    this.emit = emit;
  }

  put(index: number, chunk: string): void {
    this.waiting.set(index, chunk);
    for (let ready = this.waiting.get(this.next); ready !== undefined; ready = this.waiting.get(this.next)) {
      this.waiting.delete(this.next++);
      this.emit(ready);
    }
  }
}

async function checkOne(reporter: ClusterReporter, options: FleetVerbOptions, fleet: FleetSelection, deps: VerbDeps, name: string): Promise<ClusterReport | { error: string }> {
  const limit = new AbortController();
  const signal = AbortSignal.any([deps.signal, limit.signal]);
  const timedOut = `no result within ${fleet.contextTimeoutMs / 1000}s (--context-timeout)`;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    if (fleet.contextTimeoutMs <= 0) return;
    timer = setTimeout(() => {
      limit.abort();
      reject(new Error(timedOut));
    }, fleet.contextTimeoutMs);
  });
  const log: VerbDeps['log'] = (level, message) => deps.log(level, () => `[${name}] ${message()}`);
  try {
    const work = (async () => {
      const connection = await openConnection({ ...options, context: name }, { log, env: deps.io.env, signal });
      try {
        return await reporter.report(connection.kube, options, name, deps.color);
      } finally {
        connection.close(); // a thousand idle sessions would hold a thousand sockets and TLS states
      }
    })();
    work.catch(() => undefined); // after a timeout nobody awaits it any more
    return await Promise.race([work, deadline]);
  } catch (error) {
    return { error: limit.signal.aborted ? timedOut : messageLine(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Exit 3 when any context could not be checked, else 1 when any differs (not for status), else 0. */
export async function runFleet(reporter: ClusterReporter, options: FleetVerbOptions & { output: string }, fleet: FleetSelection, deps: VerbDeps): Promise<number> {
  const known = await listContexts(options, deps.io.env);
  const servers = new Map(known.map((context) => [context.name, context.server]));
  const names = matchContexts(fleet.patterns, [...servers.keys()]);
  const structured = options.output === 'json' || options.output === 'yaml';
  const progress = deps.io.stderrIsTTY ? new Progress(deps.io) : undefined;
  const pending = new Set(names);
  const show = () => progress?.update(`${reporter.verb}: ${names.length - pending.size}/${names.length} contexts done; waiting for ${[...pending].join(', ')}`);
  const printer = new InOrder((chunk) => {
    progress?.stop(); // the spinner's line is not left in the middle of the output
    deps.io.out(chunk);
    if (pending.size > 0) show();
  });
  show();
  let entries: ContextEntry[];
  try {
    entries = await mapBounded(names, fleet.parallel, async (name, index): Promise<ContextEntry> => {
      const server = servers.get(name) ?? '';
      const checked = await checkOne(reporter, options, fleet, deps, name);
      pending.delete(name);
      if (pending.size > 0) show();
      // Only what the output needs is kept: the verb's document for -o json|yaml, else its text, printed now.
      const entry: ContextEntry =
        'error' in checked
          ? { context: name, server, status: 'error', error: checked.error }
          : { context: name, server, status: 'ok', differs: checked.differs, components: checked.components, result: structured ? checked.result : null };
      if (!structured) printer.put(index, contextText(entry, 'error' in checked ? '' : checked.text));
      return entry;
    });
  } finally {
    progress?.stop();
  }
  if (deps.signal.aborted) throw new InterruptedError('interrupted: the fleet run stopped before every context was checked');
  const report = fleetReport(reporter.verb, entries);
  if (structured) await printData(deps, report, options.output as 'json' | 'yaml');
  else deps.io.out(fleetFooter(report, options.components, reporter.wording));
  if (report.failed.length > 0) return 3;
  return report.differs && reporter.differenceIsExit1 ? 1 : 0;
}
