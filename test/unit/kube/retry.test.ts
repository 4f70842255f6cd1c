// The retry policy as a table: an attempt's outcome and the call's state in, the next
// step out. No server: what client.ts then does with each step is tested in client.test.ts.
import { describe, expect, it } from 'vitest';
import { FIRST_ATTEMPT, nextStep, retryDelayMs, DEFAULT_RETRY, UNSENT_RESENDS, type CallState, type Outcome, type Safety, type Step } from '../../../src/kube/retry.ts';
import { failureOf, type FailureKind } from '../../../src/kube/transport-errors.ts';

const policy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
const status = (code: number, headers = {}): Outcome => ({ kind: 'answer', status: code, headers });
const failed = (kind: FailureKind, connecting = false): Outcome => ({ kind: 'failure', failure: { kind, connecting } });
const at = (state: Partial<CallState>): CallState => ({ ...FIRST_ATTEMPT, ...state });
const step = (outcome: Outcome, safety: Safety, state: Partial<CallState> = {}, msLeft?: number): Step =>
  nextStep(outcome, at(state), { safety, policy, msLeft, canRefresh: true, random: 0.5, now: 0 });
/** The step without its reason or next state: what client.ts does. */
const action = (s: Step) => (s.action === 'retry' || s.action === 'resend' ? `${s.action} ${s.delayMs}` : s.action);

describe('the retry policy', () => {
  const table: Array<[string, Outcome, Safety, Partial<CallState>, number | undefined, string]> = [
    ['a success is used', status(200), 'unprocessed', {}, undefined, 'accept'],
    ['a 404 is the caller\'s to judge', status(404), 'idempotent', {}, undefined, 'accept'],
    ['a read is retried on 503, backing off', status(503), 'idempotent', {}, undefined, 'retry 100'],
    ['… and on its second attempt waits twice as long', status(503), 'idempotent', { attempt: 2 }, undefined, 'retry 200'],
    ['… until the attempts are spent', status(503), 'idempotent', { attempt: 3 }, undefined, 'give-up'],
    ['a create is not sent again after a 500 (it may have been made)', status(500), 'unprocessed', {}, undefined, 'accept'],
    ['a 429 is retried for a create, as Retry-After says', status(429, { 'retry-after': '2' }), 'unprocessed', {}, undefined, 'retry 2000'],
    ['an eviction\'s 429 is a PodDisruptionBudget\'s answer', status(429), 'eviction', {}, undefined, 'accept'],
    ['a retry that cannot finish before the deadline: the answer stands', status(503), 'idempotent', {}, 50, 'accept'],
    ['a 401 fetches new credentials once', status(401), 'unprocessed', {}, undefined, 'refresh'],
    ['… and a second 401 is the answer', status(401), 'unprocessed', { refreshed: true }, undefined, 'accept'],
    ['a reset read is retried', failed('reset'), 'idempotent', {}, undefined, 'retry 100'],
    ['a reset create is not (it may have been made)', failed('reset'), 'unprocessed', {}, undefined, 'give-up'],
    ['a refused connection never reached the server: even a create is retried', failed('reset', true), 'unprocessed', {}, undefined, 'retry 100'],
    ['… an eviction too', failed('reset', true), 'eviction', {}, undefined, 'retry 100'],
    ['a refused stream is sent again without spending an attempt', failed('unsent'), 'unprocessed', { attempt: 3 }, undefined, 'resend 100'],
    ['… up to its own limit, then it spends attempts', failed('unsent'), 'unprocessed', { attempt: 2, unsent: UNSENT_RESENDS }, undefined, 'retry 200'],
    ['a silent server: a read gets one fresh connection', failed('silent'), 'idempotent', {}, undefined, 'retry 100'],
    ['… and a second silence ends the call, attempts left or not', failed('silent'), 'idempotent', { attempt: 2, silent: 1 }, undefined, 'give-up'],
    ['a create on a connection that never answered the handshake was never sent: retried once', failed('silent', true), 'unprocessed', {}, undefined, 'retry 100'],
    ['a create on a session gone silent may have been made', failed('silent'), 'unprocessed', {}, undefined, 'give-up'],
    ['a read whose answer was cut short is retried', { kind: 'cut' }, 'idempotent', {}, undefined, 'retry 100'],
    ['a create whose answer was cut short is not', { kind: 'cut' }, 'unprocessed', {}, undefined, 'give-up'],
    ['past its deadline', failed('deadline'), 'idempotent', {}, undefined, 'give-up'],
    ['interrupted', failed('aborted'), 'idempotent', {}, undefined, 'give-up'],
    ['a TLS error is final', failed('fatal'), 'idempotent', {}, undefined, 'give-up'],
    ['a reset with no time left for the backoff', failed('reset'), 'idempotent', {}, 80, 'give-up'],
  ];
  it.each(table)('%s', (_name, outcome, safety, state, msLeft, expected) => {
    expect(action(step(outcome, safety, state, msLeft))).toBe(expected);
  });

  it('counts what it spends: attempts on a retry, sends on a resend, silences once', () => {
    expect(step(failed('reset'), 'idempotent')).toMatchObject({ state: { attempt: 2, unsent: 0, silent: 0 } });
    expect(step(failed('unsent'), 'unprocessed')).toMatchObject({ state: { attempt: 1, unsent: 1 } });
    expect(step(failed('silent'), 'idempotent')).toMatchObject({ state: { attempt: 2, silent: 1 } });
  });

  it('says why it gives up', () => {
    expect(step(failed('silent'), 'idempotent', { silent: 1 })).toEqual({ action: 'give-up', reason: 'the server stayed silent on a fresh connection too' });
    expect(step(failed('reset'), 'unprocessed')).toEqual({ action: 'give-up', reason: 'it may have been processed, and repeating it is not harmless' });
  });
});

describe('what a transport failure means for sending again (the one place)', () => {
  const error = (code: string, extra = {}) => Object.assign(new Error(code), { code, ...extra });
  it.each([
    ['ECONNRESET', {}, { kind: 'reset', connecting: false }],
    ['ECONNRESET', { unsent: true }, { kind: 'unsent', connecting: false }],
    ['ECONNREFUSED', {}, { kind: 'reset', connecting: true }],
    ['EAI_AGAIN', {}, { kind: 'reset', connecting: true }],
    ['KAPSULE_HA_NO_ANSWER', { connecting: true }, { kind: 'silent', connecting: true }],
    ['KAPSULE_HA_SESSION_DEAD', {}, { kind: 'silent', connecting: false }],
    ['KAPSULE_HA_TIMEOUT', {}, { kind: 'deadline', connecting: false }],
    ['ABORT_ERR', {}, { kind: 'aborted', connecting: false }],
    ['ENOTFOUND', { connecting: true }, { kind: 'fatal', connecting: true }],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', { connecting: true }, { kind: 'fatal', connecting: true }],
  ])('%s %j', (code, extra, expected) => {
    expect(failureOf(error(code, extra))).toEqual(expected);
  });
});

describe('the backoff', () => {
  it('waits as Retry-After says, in seconds or as a date, else backs off exponentially with jitter', () => {
    expect(retryDelayMs(1, { 'retry-after': '3' }, DEFAULT_RETRY, 0.5)).toBe(3000);
    expect(retryDelayMs(1, { 'retry-after': new Date(10_000).toUTCString() }, DEFAULT_RETRY, 0.5, 8_000)).toBe(2000);
    expect([0, 1].map((random) => retryDelayMs(1, {}, DEFAULT_RETRY, random))).toEqual([200, 300]);
    expect(retryDelayMs(3, {}, DEFAULT_RETRY, 0)).toBe(800);
    expect(retryDelayMs(20, {}, DEFAULT_RETRY, 1)).toBe(DEFAULT_RETRY.maxDelayMs * 1.2);
  });
});
