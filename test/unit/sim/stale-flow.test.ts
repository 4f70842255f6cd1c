import { describe, expect, it } from 'vitest';
import { staleFlowPod } from '../../sim/dns-probe.ts';
import type { EndpointState } from '../../sim/endpoint-history.ts';

const pod = 'coredns-7888fbbcd5-7n7sz';
// As the failing run of 16:00Z saw it (ms since the probe started).
const history: EndpointState[] = [
  { at: 0, pod, condition: 'ready' },
  { at: 8923, pod, condition: 'terminating (serving)' },
  { at: 13926, pod, condition: 'terminating' },
  { at: 13960, pod, condition: 'gone from the EndpointSlice' },
];

describe('a lost query counted as the stale-flow race', () => {
  it('is one sent on a reused flow to a terminating pod that stopped serving before it, or within a second after', () => {
    expect(staleFlowPod(history, 13992)).toBe(pod);
    expect(staleFlowPod(history, 13100)).toBe(pod);
  });

  it('is not one sent to a pod still serving for long after, nor to a pod that was never told to stop', () => {
    expect(staleFlowPod(history, 9000)).toBeUndefined();
    expect(staleFlowPod(history, 8000)).toBeUndefined();
    expect(staleFlowPod([{ at: 0, pod, condition: 'ready' }, { at: 5000, pod, condition: 'not ready' }], 6000)).toBeUndefined();
  });
});
