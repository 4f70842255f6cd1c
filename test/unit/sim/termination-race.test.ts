import { describe, expect, it } from 'vitest';
import type { EndpointState } from '../../sim/endpoint-history.ts';
import { terminationRacePod } from '../../sim/metrics-probe.ts';

const pod = 'metrics-server-7b478c6458-pm6tq';
// As the metrics probe saw the original's pod when `enable` scaled it to 0 (17:55Z run; ms
// since the probe started): a connection was refused at +24010 ms.
const history: EndpointState[] = [
  { at: -154, pod, condition: 'ready' },
  { at: 24009, pod, condition: 'terminating (serving)' },
  { at: 25101, pod, condition: 'terminating' },
  { at: 25117, pod, condition: 'gone from the EndpointSlice' },
];

describe('a refused connection counted as the termination race', () => {
  it('is one refused by a pod already told to stop, or told within a second after', () => {
    expect(terminationRacePod(history, 24010)).toBe(pod);
    expect(terminationRacePod(history, 23500)).toBe(pod);
  });

  it('is not one refused by a pod that was serving and not told to stop', () => {
    expect(terminationRacePod(history, 20000)).toBeUndefined();
    expect(terminationRacePod([{ at: 0, pod, condition: 'ready' }, { at: 5000, pod, condition: 'not ready' }], 5100)).toBeUndefined();
    expect(terminationRacePod([], 100)).toBeUndefined();
  });
});
