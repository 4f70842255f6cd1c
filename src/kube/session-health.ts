// The health check of an HTTP/2 session, as client-go's (ReadIdleTimeout, PingTimeout) but
// quicker: when nothing at all has been read from the server for a while, a PING; no answer
// in time and the session is dead (TCP still open, a frozen peer or a lost route). It is then
// destroyed, so its requests fail as a lost connection (reads are retried on a new session,
// writes fail in one line) instead of waiting forever when --request-timeout is 0.
import type { ClientHttp2Session } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { SESSION_DEAD_CODE } from './transport-errors.ts';
import type { Logger } from './types.ts';

export interface HealthTimes {
  /** No byte read from the server for this long: send a PING (client-go: 30s). */
  readIdleMs: number;
  /** No answer to that PING within this: the session is dead (client-go: 15s). */
  pingTimeoutMs: number;
}

// A PING costs a few bytes and the server answers it even while it works on a slow
// request, so 10s of silence is a fine moment to ask; 15s to answer as client-go allows.
export const HEALTH_TIMES: HealthTimes = { readIdleMs: 10_000, pingTimeoutMs: 15_000 };

/**
 * Watches the bytes read on the session's socket (every frame, PING answers included) and
 * destroys the session when a PING sent after `readIdleMs` of silence goes unanswered.
 * Its timers never keep the process alive.
 */
export function checkSessionHealth(session: ClientHttp2Session, socket: TLSSocket, log: Logger, times: HealthTimes = HEALTH_TIMES): void {
  let bytesRead = socket.bytesRead;
  let lastReadAt = Date.now();
  let pingTimer: NodeJS.Timeout | undefined;
  const tick = setInterval(() => {
    if (session.destroyed || session.closed) return stop();
    if (socket.bytesRead !== bytesRead) {
      bytesRead = socket.bytesRead;
      lastReadAt = Date.now();
      return;
    }
    if (pingTimer || Date.now() - lastReadAt < times.readIdleMs) return;
    const sentAt = Date.now();
    pingTimer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer to an HTTP/2 PING within ${times.pingTimeoutMs / 1000}s`), { code: SESSION_DEAD_CODE });
      log(6, () => `HTTP/2 session: ${error.message} after ${Math.round((sentAt - lastReadAt) / 1000)}s without a frame; closing it`);
      stop();
      session.destroy(error);
    }, times.pingTimeoutMs).unref();
    session.ping((error) => {
      if (error) return; // the session closed meanwhile
      clearTimeout(pingTimer);
      pingTimer = undefined;
      lastReadAt = Date.now();
      log(9, () => `HTTP/2 PING answered in ${Date.now() - sentAt} ms`);
    });
  }, Math.min(1_000, times.readIdleMs / 2)).unref();
  const stop = () => {
    clearInterval(tick);
    clearTimeout(pingTimer);
  };
  session.once('close', stop);
}
