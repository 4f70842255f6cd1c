// A piece of work under a probe (DNS, metrics): started before it, stopped after it with the
// probe's own tail, or at once when the work throws (the work's error is the one reported).

/** What a probe gives the work that runs under it. */
export interface Probe<R> {
  stop(tailMs?: number): Promise<R>;
}

export async function underProbe<T, R>(probe: Probe<R>, work: () => Promise<T>): Promise<{ value: T; result: R }> {
  let value: T;
  try {
    value = await work();
  } catch (error) {
    await probe.stop(0).catch(() => undefined);
    throw error;
  }
  return { value, result: await probe.stop() };
}
