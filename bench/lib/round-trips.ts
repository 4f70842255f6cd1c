// Sequential round trips, from the API server's audit log, and the plugin's own work, from
// its -v 6 log (request lines "GET https://… 200 in 41 ms" are written when the answer
// arrives: the line's arrival is the request's end, less its duration its start).
import { receivedAt, type AuditEvent } from './cluster.ts';
import type { Line, Run } from './run.ts';

export type Interval = [number, number];

const REQUEST = /^(GET|POST|PATCH|PUT|DELETE) \S+ (\d{3}|failed) in (\d+) ms/;

export function requestIntervals(lines: Line[]): Interval[] {
  return lines.flatMap((line) => {
    const match = line.stream === 'stderr' ? REQUEST.exec(line.text) : null;
    return match ? [[line.at - Number(match[3]), line.at] as Interval] : [];
  });
}

/**
 * The longest chain of requests each received by the server at least `gapMs` after it
 * answered the one before (behind a relay adding a round trip, a request sent after an
 * answer arrives that much later; requests sent together arrive within a moment): the
 * most such requests, found by taking the one answered first, again and again. From the
 * server's clock, so a busy client cannot blur it. Watches are left out (they last).
 */
export function requestChain(events: AuditEvent[], gapMs: number): number {
  const requests = events
    .filter((event) => event.verb !== 'watch' && event.stageTimestamp)
    .map((event) => [receivedAt(event), Date.parse(event.stageTimestamp!)] as Interval)
    .sort((a, b) => a[1] - b[1]);
  let chain = 0;
  let free = Number.NEGATIVE_INFINITY;
  for (const [start, end] of requests) {
    if (start >= free + gapMs) {
      chain++;
      free = end;
    }
  }
  return chain;
}

const merge = (intervals: Interval[]): Interval[] =>
  [...intervals]
    .sort((a, b) => a[0] - b[0])
    .reduce<Interval[]>((merged, [start, end]) => {
      const last = merged.at(-1);
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
      return merged;
    }, []);

const length = (intervals: Interval[]): number => intervals.reduce((sum, [start, end]) => sum + end - start, 0);

/** The plugin's waits: from "<component>: wait started: <what>" to the line "… <what> (1.2s)". */
export function waitIntervals(lines: Line[]): Interval[] {
  const started = new Map<string, number>();
  const waits: Interval[] = [];
  for (const line of [...lines].sort((a, b) => a.at - b.at)) {
    const start = /^\S+: wait started: (.+)$/.exec(line.text);
    if (start) started.set(start[1]!, line.at);
    for (const [what, at] of started) {
      if (line.text.endsWith(`${what} (${line.text.match(/\((\d+\.\d)s\)$/)?.[1]}s)`)) {
        waits.push([at, line.at]);
        started.delete(what);
      }
    }
  }
  return waits;
}

/** Wall time less the moments spent only waiting for pods (no request of its own in flight). */
export function ownWork(run: Run, requests: Interval[]): number {
  const waits = merge(waitIntervals(run.lines));
  if (waits.length === 0) throw new Error(`no wait found in the output of the run:\n${run.stderr.slice(0, 2000)}`);
  const busyWhileWaiting = merge(requests).flatMap(([start, end]) =>
    waits.flatMap(([from, to]) => (Math.min(end, to) > Math.max(start, from) ? [[Math.max(start, from), Math.min(end, to)] as Interval] : [])),
  );
  return run.ms - (length(waits) - length(merge(busyWhileWaiting)));
}

/** Which component of enable/disable a request is about (by object name); undefined: a read or review for all. */
const componentOf = (event: AuditEvent): string | undefined => {
  if (['get', 'list'].includes(event.verb) || !event.objectRef?.name) return undefined;
  const name = event.objectRef.name;
  return name.startsWith('cilium-operator') ? 'cilium-operator' : name.startsWith('metrics-server') ? 'metrics-server' : 'coredns';
};

/**
 * Components converge side by side: the critical path is the longest component's chain
 * (the shared reads and reviews, then its own writes), not every write end to end.
 */
export function longestComponentChain(events: AuditEvent[], gapMs: number): number {
  const components = new Set(events.map(componentOf).filter((component) => component !== undefined));
  if (components.size === 0) return requestChain(events, gapMs);
  return Math.max(...[...components].map((component) => requestChain(events.filter((event) => [undefined, component].includes(componentOf(event))), gapMs)));
}
