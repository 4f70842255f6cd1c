// When a failed request may be sent again. A request is retried only when sending it
// twice cannot do harm: reads, merge patches, JSON patches guarded by a resourceVersion
// test, deletes with a precondition; a create only when the server never processed it.
import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_DEAD_CODE } from './session-health.ts';

export type Safety =
  /** Sending it twice is harmless: retry on 429, 5xx and connection failures. */
  | 'idempotent'
  /** Retry only when the server surely did not act: 429, connection refused. */
  | 'unprocessed'
  /** Eviction: a 429 means a PodDisruptionBudget refused; retry only on connection refused. */
  | 'eviction';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };

/** Sends of a request the server never received (refused, past a GOAWAY), beyond `attempts`. */
export const UNPROCESSED_RETRIES = 10;

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
// A dead HTTP/2 session may have processed its requests: like a reset, for reads only.
const RESET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', SESSION_DEAD_CODE]);

export function shouldRetryStatus(status: number, safety: Safety): boolean {
  if (status === 429) return safety !== 'eviction';
  return safety === 'idempotent' && RETRYABLE_STATUS.has(status);
}

export function shouldRetryError(code: string | undefined, safety: Safety, reusedSocket = false): boolean {
  if (code === 'ECONNREFUSED') return true; // nothing reached the server
  if (code === 'ECONNRESET' && reusedSocket) return true; // an idle kept-alive connection the server had closed
  return safety === 'idempotent' && code !== undefined && RESET_CODES.has(code);
}

/** Retry-After (seconds or an HTTP date) in ms, else exponential backoff with jitter. */
export function retryDelayMs(attempt: number, headers: IncomingHttpHeaders | undefined, policy: RetryPolicy, now = Date.now()): number {
  const header = headers?.['retry-after'];
  if (typeof header === 'string' && header.trim() !== '') {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.8 + Math.random() * 0.4));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
