// The API server's audit log (JSON lines, Metadata level): one event per request, at
// stage ResponseComplete. Tests and benchmarks count requests with it.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  /** Set when the request impersonated someone (Impersonate-User): the identity RBAC judged. */
  impersonatedUser?: { username: string; groups?: string[]; uid?: string };
  userAgent?: string;
  sourceIPs?: string[];
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string };
  responseStatus?: { code: number; status?: string; reason?: string; message?: string };
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

/**
 * Events written after byte `sinceOffset`, and the offset to pass next time. Reads only
 * whole lines, so a line being written is picked up by the next call.
 */
export function readAuditFile(file: string, sinceOffset = 0): { events: AuditEvent[]; offset: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { events: [], offset: sinceOffset };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= sinceOffset) return { events: [], offset: Math.min(sinceOffset, size) };
    const buffer = Buffer.alloc(size - sinceOffset);
    readSync(fd, buffer, 0, buffer.length, sinceOffset);
    const end = buffer.lastIndexOf(0x0a) + 1;
    const events = buffer
      .subarray(0, end)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as AuditEvent)
      .filter((event) => event.stage === 'ResponseComplete');
    return { events, offset: sinceOffset + end };
  } finally {
    closeSync(fd);
  }
}

/**
 * Waits for events matching `predicate` after `sinceOffset`. The API server writes an
 * event once it has answered, so a client can see its answer a moment before the log does.
 */
export async function waitForAuditEvents(file: string, predicate: (event: AuditEvent) => boolean, options: { sinceOffset?: number; count?: number; timeoutMs?: number } = {}): Promise<AuditEvent[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  const found: AuditEvent[] = [];
  let offset = options.sinceOffset ?? 0;
  for (;;) {
    const read = readAuditFile(file, offset);
    offset = read.offset;
    found.push(...read.events.filter(predicate));
    if (found.length >= (options.count ?? 1) || Date.now() > deadline) return found;
    await sleep(50);
  }
}

/** The offset just after the log's last whole line, without reading the whole log. */
export function auditEndOffset(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    const size = fstatSync(fd).size;
    // Lines are well under 64 KiB: the last newline is in the tail.
    const tail = Buffer.alloc(Math.min(size, 65_536));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return size - tail.length + tail.lastIndexOf(0x0a) + 1;
  } finally {
    closeSync(fd);
  }
}

let sentinels = 0;

/**
 * Events after `sinceOffset` once the log has caught up with every request answered
 * before this call. The server writes an event just after it answers, so a client that
 * has its answers may still find the log short: `send` makes one more request, with a
 * unique User-Agent, and the log is read until that sentinel's event is in it (a request
 * answered earlier is logged by then). Throws when the sentinel never shows.
 */
export async function readAuditAfterSentinel(
  file: string,
  sinceOffset: number,
  send: (userAgent: string) => Promise<void>,
  timeoutMs = 10_000,
): Promise<{ events: AuditEvent[]; offset: number; sentinel: AuditEvent }> {
  const userAgent = `kapsule-ha-audit-sentinel/${process.pid}-${++sentinels}-${Date.now()}`;
  await send(userAgent);
  const [sentinel] = await waitForAuditEvents(file, (event) => event.userAgent === userAgent, { sinceOffset, timeoutMs });
  if (!sentinel) throw new Error(`the audit log did not show the sentinel request (${userAgent}) within ${timeoutMs / 1000}s`);
  // Two requests answered a moment apart may be logged in the other order.
  await sleep(100);
  const read = readAuditFile(file, sinceOffset);
  return { events: read.events.filter((event) => event.userAgent !== userAgent), offset: read.offset, sentinel };
}
