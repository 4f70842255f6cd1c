import { describe, expect, it } from 'vitest';
import { retryDelayMs, shouldRetryError, shouldRetryStatus, DEFAULT_RETRY } from '../../../src/kube/retry.ts';

describe('when a request may be sent again', () => {
  it('reads retry on 429, 5xx and connection failures; creates only when the server surely did not act', () => {
    expect([429, 500, 502, 503, 504].map((status) => shouldRetryStatus(status, 'idempotent'))).toEqual([true, true, true, true, true]);
    expect([429, 500, 503].map((status) => shouldRetryStatus(status, 'unprocessed'))).toEqual([true, false, false]);
    expect(shouldRetryError('ECONNRESET', 'idempotent')).toBe(true);
    expect(shouldRetryError('ECONNRESET', 'unprocessed')).toBe(false);
    expect(shouldRetryError('ECONNREFUSED', 'unprocessed')).toBe(true);
  });

  it('a reset on a reused kept-alive connection is retried even for a create: the request never got through', () => {
    expect(shouldRetryError('ECONNRESET', 'unprocessed', true)).toBe(true);
    expect(shouldRetryError('EPIPE', 'unprocessed', true)).toBe(false);
  });

  it('an eviction refused by a PodDisruptionBudget (429) is an answer, not a reason to retry', () => {
    expect(shouldRetryStatus(429, 'eviction')).toBe(false);
    expect(shouldRetryError('ECONNREFUSED', 'eviction')).toBe(true);
  });

  it('waits as Retry-After says, in seconds or as a date, else backs off exponentially', () => {
    expect(retryDelayMs(1, { 'retry-after': '3' }, DEFAULT_RETRY)).toBe(3000);
    expect(retryDelayMs(1, { 'retry-after': new Date(10_000).toUTCString() }, DEFAULT_RETRY, 8_000)).toBe(2000);
    const first = retryDelayMs(1, {}, DEFAULT_RETRY);
    const third = retryDelayMs(3, {}, DEFAULT_RETRY);
    expect(first).toBeGreaterThanOrEqual(200);
    expect(first).toBeLessThanOrEqual(300);
    expect(third).toBeGreaterThanOrEqual(800);
    expect(retryDelayMs(20, {}, DEFAULT_RETRY)).toBeLessThanOrEqual(DEFAULT_RETRY.maxDelayMs * 1.2);
  });
});
