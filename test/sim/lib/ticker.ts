// A probe's heartbeat: one call every interval, and the longest gap between two calls (a
// probe whose ticks stalled, under the machine's load, saw less than its window suggests).

export interface Ticker {
  /** Stops the ticks; the longest gap seen between two of them (or since the start). */
  stop(): { maxGapMs: number };
}

export function startTicking(intervalMs: number, onTick: () => void, startedAt = Date.now()): Ticker {
  let last = startedAt;
  let maxGapMs = 0;
  const tick = () => {
    const at = Date.now();
    maxGapMs = Math.max(maxGapMs, at - last);
    last = at;
    onTick();
  };
  const interval = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(interval);
      return { maxGapMs };
    },
  };
}
