// One write of a plan: sent, reported, and on a lost race planned again from a fresh read.
import { EXIT, InterruptedError } from '../kube/exit-codes.ts';
import { sleep } from '../kube/retry.ts';
import type { KubeClient, KubeObject } from '../kube/types.ts';
import { describeRef, PreflightError, StoppedError } from './errors.ts';
import { stepFor } from './plan.ts';
import type { WriteStep } from './types.ts';

/** How often a write is re-planned after someone else changed its object under us. */
const MAX_REPLANS = 5;

/**
 * The pause before the n-th fresh read: 100 ms, doubling (3.1 s in all). A resourceVersion
 * changes with the status too, and controllers write status in bursts (a rollout's every pod
 * turning Ready); re-reading at once can lose every race of such a burst.
 */
const replanPauseMs = (attempt: number): number => 100 * 2 ** attempt;

const statusOf = (error: unknown): number | undefined =>
  (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;

/**
 * A create that raced another (409), or a patch refused as Invalid (422): the API server
 * answers a failed `test` operation with a bare "the server rejected our request due to an
 * error in our request", so only a fresh read tells a lost race from a bad patch.
 */
const mayBeStale = (error: unknown, step: WriteStep): boolean =>
  statusOf(error) === 409 || (statusOf(error) === 422 && step.action === 'patch');

async function send(kube: KubeClient, step: WriteStep, dryRun: boolean): Promise<void> {
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

export interface WriteReport {
  wrote(step: WriteStep): void;
  replanned(step: WriteStep, reason: string): void;
}

/** Ctrl-C during the pause before a re-plan: that write was not made, nothing after it starts. */
async function pauseBeforeReplan(step: WriteStep, attempt: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(replanPauseMs(attempt), signal);
  } catch {
    throw new InterruptedError(
      `interrupted: stopped before planning ${step.action} ${describeRef(step.ref)} again (it lost a race, nothing of it was written); every change before it is kept and safe. Re-run to continue.`,
    );
  }
}

/** Applies one write; on a lost race re-reads the object and plans it again from fresh state. `signal`: Ctrl-C. */
export async function applyWrite(kube: KubeClient, first: WriteStep, dryRun: boolean, report: WriteReport, signal?: AbortSignal): Promise<void> {
  let step: WriteStep | undefined = first;
  try {
    for (let attempt = 0; step; attempt++) {
      try {
        await send(kube, step, dryRun);
        report.wrote(step);
        return;
      } catch (error) {
        if (!mayBeStale(error, step) || attempt >= MAX_REPLANS) throw error;
        await pauseBeforeReplan(step, attempt, signal);
        const live: KubeObject | undefined = await kube.get(step.ref);
        // Unchanged since we read it: the patch itself is invalid, not stale.
        if (step.action === 'patch' && statusOf(error) === 422 && live?.metadata.resourceVersion === step.live.metadata.resourceVersion) throw error;
        report.replanned(step, error instanceof Error ? error.message : String(error));
        step = stepFor(step.source, live) as WriteStep | undefined;
      }
    }
  } catch (error) {
    throw stoppedAt(first, error);
  }
}

/** A failed write (the server refused, or its answer was lost) says where the run stopped. */
function stoppedAt(step: WriteStep, error: unknown): unknown {
  const failure = (error as { exitCode?: number }).exitCode === EXIT.failure && !(error instanceof PreflightError);
  if (!failure || !(error instanceof Error)) return error;
  return new StoppedError(
    `${error.message}; stopped at ${step.action} ${describeRef(step.ref)} (the changes before it are kept): re-run to continue`,
    { cause: error },
  );
}
