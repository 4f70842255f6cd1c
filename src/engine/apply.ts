// Runs plans: components side by side (no order between them), each in its own safe order:
// a stage's writes in rounds of concurrent requests, then its waits, then the next stage.
import type { KubeClient } from '../kube/types.ts';
import { InterruptedError } from '../kube/exit-codes.ts';
import { describeRef } from './errors.ts';
import { writeRounds } from './order.ts';
import type { PlanSubject as Component, ComponentPlan, WaitFor, WaitStep, WriteStep } from './types.ts';
import { waitServing } from './watch-wait.ts';
import { applyWrite, type WriteReport } from './write.ts';

export type ApplyEvent = { component: Component } & (
  | { type: 'wrote'; step: WriteStep; dryRun: boolean }
  | { type: 'wait-started'; waitFor: WaitFor }
  | { type: 'waiting'; waitFor: WaitFor; detail: string }
  | { type: 'waited'; waitFor: WaitFor; seconds: number }
  | { type: 'replanned'; step: WriteStep; reason: string }
  /** Stopped at a safe point because another component failed; `before` is its next step. */
  | { type: 'stopped'; before: string; because: Component }
  /** A failure besides the one the run rejects with. */
  | { type: 'failed'; error: unknown }
);

export interface ApplyOptions {
  /** 'server': every write is sent with dryRun=All and nothing is awaited. */
  dryRun: 'none' | 'server';
  /** Epoch milliseconds after which a wait gives up (exit 124). */
  deadline: number;
  onEvent: (event: ApplyEvent) => void;
  signal?: AbortSignal;
}

/** Ctrl-C seen at a step boundary: says which step did not start. */
class InterruptedBefore extends InterruptedError {
  readonly before: string;
  constructor(before: string) {
    super(`interrupted: stopped before ${before}; every change before it is kept and safe. Re-run to continue.`);
    this.before = before;
  }
}

/** Another component failed: this one stopped at a safe point. */
class Halted extends Error {
  readonly before: string;
  constructor(before: string) {
    super(`stopped before ${before}`);
    this.before = before;
  }
}

const describeWrites = (round: WriteStep[]): string =>
  `${round[0]!.action} ${describeRef(round[0]!.ref)}${round.length > 1 ? ` and ${round.length - 1} more write${round.length > 2 ? 's' : ''}` : ''}`;

const describeWaits = (waits: WaitStep[]): string => `waiting for ${waits.map((wait) => wait.waitFor.description).join(' and ')}`;

/** One component's plan, stage by stage. Every step boundary is safe: originals only go down after their copy's wait. */
async function applyComponent(kube: KubeClient, plan: ComponentPlan, options: ApplyOptions, halt: AbortSignal): Promise<void> {
  const { component } = plan;
  const { onEvent } = options;
  const dryRun = options.dryRun === 'server';
  const stopIfAsked = (before: string) => {
    if (options.signal?.aborted) throw new InterruptedBefore(before);
    if (halt.aborted) throw new Halted(before);
  };
  const report: WriteReport = {
    wrote: (step) => onEvent({ component, type: 'wrote', step, dryRun }),
    replanned: (step, reason) => onEvent({ component, type: 'replanned', step, reason }),
  };
  for (const stage of plan.stages) {
    for (const round of writeRounds(stage.writes)) {
      stopIfAsked(describeWrites(round));
      // The whole round is answered before a failure is raised: no write is left in flight.
      const outcomes = await Promise.allSettled(round.map((step) => applyWrite(kube, step, dryRun, report, options.signal)));
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    }
    if (dryRun || stage.waits.length === 0) continue;
    const before = describeWaits(stage.waits);
    stopIfAsked(before);
    const failedWait = new AbortController();
    const signal = AbortSignal.any([halt, failedWait.signal, ...(options.signal ? [options.signal] : [])]);
    try {
      await Promise.all(
        stage.waits.map(async (step) => {
          const started = Date.now();
          const onDetail = (detail: string) => onEvent({ component, type: 'waiting', waitFor: step.waitFor, detail });
          onEvent({ component, type: 'wait-started', waitFor: step.waitFor });
          await waitServing(kube, step, { deadline: options.deadline, signal, onDetail }).catch((error: unknown) => {
            failedWait.abort();
            throw error;
          });
          onEvent({ component, type: 'waited', waitFor: step.waitFor, seconds: (Date.now() - started) / 1000 });
        }),
      );
    } catch (error) {
      // Ended by Ctrl-C or by another component's failure, not by its own.
      if (signal.aborted) stopIfAsked(before);
      throw error;
    }
  }
}

/**
 * Every component's plan at once. When one fails, the others stop at their next safe point
 * (a write round already sent is answered first, a wait ends at once); the first failure
 * is raised, the others reported as events. Ctrl-C stops them all, each before its next step.
 */
export async function applyPlans(kube: KubeClient, plans: ComponentPlan[], options: ApplyOptions): Promise<void> {
  const halt = new AbortController();
  let first: { error: unknown; component: Component } | undefined;
  const outcomes = await Promise.allSettled(
    plans.map((plan) =>
      applyComponent(kube, plan, options, halt.signal).catch((error: unknown) => {
        if (!(error instanceof Halted) && !first) {
          first = { error, component: plan.component };
          halt.abort();
        }
        throw error;
      }),
    ),
  );
  if (!first) return;
  const failures = outcomes.map((outcome, index) => ({ component: plans[index]!.component, error: outcome.status === 'rejected' ? outcome.reason : undefined }));
  const interrupted = failures.filter(({ error }) => error instanceof InterruptedBefore);
  if (interrupted.length > 1 && failures.every(({ error }) => error === undefined || error instanceof InterruptedBefore || error instanceof Halted)) {
    const before = interrupted.map(({ component, error }) => `${(error as InterruptedBefore).before} (${component})`).join(', ');
    throw new InterruptedError(`interrupted: stopped before ${before}; every change before them is kept and safe. Re-run to continue.`);
  }
  for (const { component, error } of failures) {
    if (error === undefined || error === first.error) continue;
    if (error instanceof Halted) options.onEvent({ component, type: 'stopped', before: error.before, because: first.component });
    else options.onEvent({ component, type: 'failed', error });
  }
  throw first.error;
}

/** One component's plan (the same rules as applyPlans). */
export const applyPlan = (kube: KubeClient, plan: ComponentPlan, options: ApplyOptions): Promise<void> => applyPlans(kube, [plan], options);
