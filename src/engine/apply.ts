import type { KubeClient, KubeObject } from '../kube/types.ts';
import { EXIT, InterruptedError } from '../cli/errors.ts';
import { describeRef, PreflightError, StoppedError, WaitTimeoutError } from './errors.ts';
import { stepFor } from './plan.ts';
import type { ComponentPlan, Step, WaitFor, WriteStep } from './types.ts';
import { checkWait } from './wait.ts';

export type ApplyEvent =
  | { type: 'wrote'; step: WriteStep; dryRun: boolean }
  | { type: 'waiting'; waitFor: WaitFor; detail: string }
  | { type: 'waited'; waitFor: WaitFor; seconds: number }
  | { type: 'replanned'; step: WriteStep; reason: string };

export interface ApplyOptions {
  /** 'server': every write is sent with dryRun=All and nothing is awaited. */
  dryRun: 'none' | 'server';
  /** Epoch milliseconds after which a wait gives up (exit 124). */
  deadline: number;
  onEvent: (event: ApplyEvent) => void;
  /** Longest pause between two looks at a wait condition (default 1s). */
  pollMs?: number;
  signal?: AbortSignal;
}

/** How often a write is re-planned after someone else changed its object under us. */
const MAX_REPLANS = 5;

const statusOf = (error: unknown): number | undefined =>
  (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;

/**
 * A create that raced another (409), or a patch refused as Invalid (422): the API server
 * answers a failed `test` operation with a bare "the server rejected our request due to an
 * error in our request", so only a fresh read tells a lost race from a bad patch.
 */
const mayBeStale = (error: unknown, step: WriteStep): boolean =>
  statusOf(error) === 409 || (statusOf(error) === 422 && step.action === 'patch');

async function write(kube: KubeClient, step: WriteStep, dryRun: boolean): Promise<void> {
  const options = { dryRun };
  switch (step.action) {
    case 'create':
      await kube.create(step.object, options);
      return;
    case 'patch':
      await kube.patch(step.ref, step.patch, 'json', options);
      return;
    case 'delete':
      await kube.delete(step.ref, { ...options, uid: step.live.metadata.uid });
      return;
  }
}

/** Applies one write; on a lost race re-reads the object and plans it again from fresh state. */
async function applyWrite(kube: KubeClient, first: WriteStep, options: ApplyOptions): Promise<void> {
  let step: WriteStep | undefined = first;
  for (let attempt = 0; step; attempt++) {
    try {
      await write(kube, step, options.dryRun === 'server');
      options.onEvent({ type: 'wrote', step, dryRun: options.dryRun === 'server' });
      return;
    } catch (error) {
      if (!mayBeStale(error, step) || attempt >= MAX_REPLANS) throw error;
      const live: KubeObject | undefined = await kube.get(step.ref);
      // Unchanged since we read it: the patch itself is invalid, not stale.
      if (step.action === 'patch' && statusOf(error) === 422 && live?.metadata.resourceVersion === step.live.metadata.resourceVersion) throw error;
      options.onEvent({ type: 'replanned', step, reason: error instanceof Error ? error.message : String(error) });
      step = stepFor(step.source, live) as WriteStep | undefined;
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

async function waitUntil(kube: KubeClient, waitFor: WaitFor, options: ApplyOptions): Promise<void> {
  const started = Date.now();
  let lastDetail = '';
  // Controllers usually react within a few hundred milliseconds: look soon, then less often.
  let pause = 150;
  for (;;) {
    // A Ctrl-C aborts the look in flight: say where the run stopped, not which request broke off.
    const check = await checkWait(kube, waitFor).catch((error: unknown) => {
      throw options.signal?.aborted ? interrupted(`waiting for ${waitFor.description}`) : error;
    });
    if (check.done) {
      options.onEvent({ type: 'waited', waitFor, seconds: (Date.now() - started) / 1000 });
      return;
    }
    if (check.detail !== lastDetail) options.onEvent({ type: 'waiting', waitFor, detail: check.detail });
    lastDetail = check.detail;
    if (options.signal?.aborted) throw interrupted(`waiting for ${waitFor.description}`);
    if (Date.now() >= options.deadline) {
      throw new WaitTimeoutError(
        `timed out waiting for ${waitFor.description} (${check.detail}); stopped before the next step, ` +
          `so the original still serves. Re-run to continue.`,
      );
    }
    await sleep(Math.min(pause, Math.max(0, options.deadline - Date.now())), options.signal);
    if (options.signal?.aborted) throw interrupted(`waiting for ${waitFor.description}`);
    pause = Math.min(pause * 2, options.pollMs ?? 1000);
  }
}

/** Runs a plan in order: writes, and the waits that make the order safe. */
export async function applyPlan(kube: KubeClient, plan: ComponentPlan, options: ApplyOptions): Promise<void> {
  for (const step of plan.steps as Step[]) {
    // Ctrl-C: stop before the next step. Every step boundary is safe, as originals only go
    // down after their copy's wait.
    if (options.signal?.aborted) {
      throw interrupted(step.action === 'wait' ? `waiting for ${step.waitFor.description}` : `${step.action} ${describeRef(step.ref)}`);
    }
    if (step.action === 'wait') {
      if (options.dryRun === 'none') await waitUntil(kube, step.waitFor, options);
    } else {
      try {
        await applyWrite(kube, step, options);
      } catch (error) {
        throw stoppedAt(step, error);
      }
    }
  }
}

const interrupted = (next: string) =>
  new InterruptedError(`interrupted: stopped before ${next}; every change before it is kept and safe. Re-run to continue.`);

/** A failed write (the server refused, or its answer was lost) says where the run stopped. */
function stoppedAt(step: WriteStep, error: unknown): unknown {
  const failure = (error as { exitCode?: number }).exitCode === EXIT.failure && !(error instanceof PreflightError);
  if (!failure || !(error instanceof Error)) return error;
  return new StoppedError(
    `${error.message}; stopped at ${step.action} ${describeRef(step.ref)} (the changes before it are kept): re-run to continue`,
    { cause: error },
  );
}

