// When a failed request is sent again, as one pure decision: the outcome of an attempt
// and the state of the call in, the next step out. A request is retried only when
// sending it twice cannot do harm: reads, merge patches, JSON patches guarded by a
// resourceVersion test, deletes with a precondition; anything when the server never
// got it. client.ts carries the steps out.
import type { IncomingHttpHeaders } from 'node:http';
import type { Failure } from './transport-errors.ts';

export type Safety =
  /** Sending it twice is harmless: retry on 429, 5xx and connection failures. */
  | 'idempotent'
  /** Retry only when the server surely did not act: 429, a failure before sending. */
  | 'unprocessed'
  /** Eviction: a 429 means a PodDisruptionBudget refused; retry only when the server never got it. */
  | 'eviction';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };

/** Sends of a request the server never received (refused, past a GOAWAY), beyond `attempts`. */
export const UNSENT_RESENDS = 10;

/** What one attempt came to. */
export type Outcome =
  /** A complete answer. */
  | { kind: 'answer'; status: number; headers: IncomingHttpHeaders }
  /** A success whose body was cut short (the stream reset mid-answer): a reset after the server acted. */
  | { kind: 'cut' }
  | { kind: 'failure'; failure: Failure };

export interface CallState {
  /** Attempts made so far, this one included. */
  attempt: number;
  /** Sends the server never received, not counted in `attempt`. */
  unsent: number;
  /** Attempts that met a silent server; after one, a second silence ends the call. */
  silent: number;
  refreshed: boolean;
}

export const FIRST_ATTEMPT: CallState = { attempt: 1, unsent: 0, silent: 0, refreshed: false };

export interface CallContext {
  safety: Safety;
  policy: RetryPolicy;
  /** Time left before the request's deadline; undefined: none. */
  msLeft: number | undefined;
  /** Whether new credentials can be fetched after a 401. */
  canRefresh: boolean;
  /** 0..1, for the jitter of the backoff (Math.random outside tests). */
  random: number;
  /** Epoch ms, for a Retry-After given as a date. */
  now: number;
}

export type Step =
  /** Use the answer as it is (a success, or a status to return or report). */
  | { action: 'accept' }
  /** Fetch new credentials, then send again without spending an attempt. */
  | { action: 'refresh'; state: CallState }
  /** Send again after `delayMs` (on a fresh connection when the last one failed). */
  | { action: 'retry'; delayMs: number; state: CallState }
  /** Send again after `delayMs` without spending an attempt: the server never got it. */
  | { action: 'resend'; delayMs: number; state: CallState }
  /** Stop: the outcome stands (its error, or its status), for `reason`. */
  | { action: 'give-up'; reason: string };

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

export function nextStep(outcome: Outcome, state: CallState, context: CallContext): Step {
  const { safety, policy } = context;
  if (outcome.kind === 'answer') {
    const { status, headers } = outcome;
    if (status === 401 && !state.refreshed && context.canRefresh) return { action: 'refresh', state: { ...state, refreshed: true } };
    if (!shouldRetryStatus(status, safety)) return { action: 'accept' };
    if (state.attempt >= policy.attempts) return { action: 'give-up', reason: `${status} after ${state.attempt} attempts` };
    const delayMs = retryDelayMs(state.attempt, headers, policy, context.random, context.now);
    // A retry that cannot finish in time: the answer we have is the best there is.
    if (context.msLeft !== undefined && delayMs >= context.msLeft) return { action: 'accept' };
    return { action: 'retry', delayMs, state: { ...state, attempt: state.attempt + 1 } };
  }
  const failure: Failure = outcome.kind === 'cut' ? { kind: 'reset', connecting: false } : outcome.failure;
  const reason = refusal(failure, state, safety);
  if (reason) return { action: 'give-up', reason };
  if (failure.kind === 'unsent' && state.unsent < UNSENT_RESENDS) {
    const delayMs = retryDelayMs(state.unsent + 1, undefined, policy, context.random);
    if (context.msLeft !== undefined && delayMs >= context.msLeft) return { action: 'give-up', reason: 'no time left before the deadline' };
    return { action: 'resend', delayMs, state: { ...state, unsent: state.unsent + 1 } };
  }
  if (state.attempt >= policy.attempts) return { action: 'give-up', reason: `failed ${state.attempt} attempts` };
  const delayMs = retryDelayMs(state.attempt, undefined, policy, context.random);
  if (context.msLeft !== undefined && delayMs >= context.msLeft) return { action: 'give-up', reason: 'no time left before the deadline' };
  return { action: 'retry', delayMs, state: { ...state, attempt: state.attempt + 1, silent: state.silent + (failure.kind === 'silent' ? 1 : 0) } };
}

/** Why a failure must not be sent again, or undefined when it may. */
function refusal(failure: Failure, state: CallState, safety: Safety): string | undefined {
  switch (failure.kind) {
    case 'aborted':
      return 'aborted';
    case 'deadline':
      return 'its deadline passed';
    case 'fatal':
      return 'no retry changes this answer';
    case 'unsent':
      return undefined; // the server never got it
    case 'silent':
      // Once on a fresh connection: a server that said nothing twice is named at once.
      if (state.silent >= 1) return 'the server stayed silent on a fresh connection too';
      return failure.connecting || safety === 'idempotent' ? undefined : 'it may have been processed, and repeating it is not harmless';
    case 'reset':
      return failure.connecting || safety === 'idempotent' ? undefined : 'it may have been processed, and repeating it is not harmless';
  }
}

export function shouldRetryStatus(status: number, safety: Safety): boolean {
  if (status === 429) return safety !== 'eviction';
  return safety === 'idempotent' && RETRYABLE_STATUS.has(status);
}

/** Retry-After (seconds or an HTTP date) in ms, else exponential backoff with jitter (random 0..1). */
export function retryDelayMs(attempt: number, headers: IncomingHttpHeaders | undefined, policy: RetryPolicy, random: number, now = 0): number {
  const header = headers?.['retry-after'];
  if (typeof header === 'string' && header.trim() !== '') {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.8 + random * 0.4));
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
