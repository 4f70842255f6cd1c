// `conntrack -E` in the simulated cluster's network namespace, for the flows to one Service
// address: where kube-proxy sent each (the reply tuple's source, the endpoint it was DNATed
// to) and how it went. The probes use it to say where a failed query or request went.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

export interface ConntrackEvent {
  type: 'NEW' | 'UPDATE' | 'DESTROY';
  /** The TCP state (SYN_SENT, ESTABLISHED, CLOSE…); none for UDP. */
  state?: string;
  /** The client's source port. */
  sport: number;
  /** The reply's source: the pod IP kube-proxy DNATed the flow to, or the Service address itself when nothing rewrote it. */
  endpoint: string;
  /** The flow saw no reply yet (conntrack's [UNREPLIED]). */
  unreplied: boolean;
  /** When the event was read (ms since the epoch). */
  at: number;
}

const EVENT = /^\s*\[(NEW|UPDATE|DESTROY)\]\s+(?:tcp|udp)\s+\d+\s+(?:\d+\s+)?(?:([A-Z_]+)\s+)?src=\S+ dst=\S+ sport=(\d+) dport=\d+ (\[UNREPLIED\] )?src=(\S+)/;

/** One line of `conntrack -E` output, or undefined for anything else. */
export function parseConntrackEvent(line: string, at: number): ConntrackEvent | undefined {
  const match = EVENT.exec(line);
  if (!match) return undefined;
  return { type: match[1] as ConntrackEvent['type'], ...(match[2] ? { state: match[2] } : {}), sport: Number(match[3]), endpoint: match[5] as string, unreplied: match[4] !== undefined, at };
}

export interface ConntrackWatch {
  /** conntrack said it lost events (its netlink buffer overflowed): what the watch missed is unknown. */
  lostEvents(): boolean;
  stop(): void;
}

/** Follows the flows of `protocol` to `destination` in the namespace `netns`; resolves once the watch is up. */
export async function watchConntrack(netns: string, filter: { protocol: 'tcp' | 'udp'; destination: string; events: string }, onEvent: (event: ConntrackEvent) => void): Promise<ConntrackWatch> {
  // Every flow of the namespace is an event for the socket (the filter is applied after):
  // a buffer far above the default keeps a burst of them from overflowing it.
  const events = spawn('nsenter', [`--net=${netns}`, 'conntrack', '-E', '-b', String(16 << 20), '-e', filter.events, '-p', filter.protocol, '--orig-dst', filter.destination], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lost = false;
  await new Promise<void>((resolve, reject) => {
    events.once('spawn', resolve);
    events.once('error', reject);
  });
  readline.createInterface({ input: events.stdout! }).on('line', (line) => {
    const event = parseConntrackEvent(line, Date.now());
    if (event) onEvent(event);
  });
  readline.createInterface({ input: events.stderr! }).on('line', (line) => {
    if (/ENOBUFS|losing events/.test(line)) lost = true;
  });
  // Its netlink subscription is up within a moment of its start.
  await new Promise((resolve) => setTimeout(resolve, 150));
  return { lostEvents: () => lost, stop: () => void events.kill() };
}
