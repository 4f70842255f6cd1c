// enable and disable: plan, check, confirm, apply in the safe order, report.
import { UsageError } from '../kube/exit-codes.ts';
import { applyPlans, type ApplyEvent } from '../engine/apply.ts';
import { writesOf, type ComponentPlan } from '../engine/types.ts';
import type { DisableOptions, EnableOptions, VerbDeps } from './options.ts';
import { mayDoEverything, requireAccess } from './permissions.ts';
import { kubectlName, pastTense, planData, planText } from './plan-render.ts';
import { planComponents, settingsFrom, type Direction } from './planning.ts';
import { printData } from './print.ts';
import { Progress } from './progress.ts';

type ConvergeOptions = (EnableOptions | DisableOptions) & Partial<EnableOptions>;

async function confirm(plans: ComponentPlan[], options: Pick<ConvergeOptions, 'yes'>, deps: VerbDeps, direction: string): Promise<boolean> {
  if (options.yes) return true;
  if (!deps.io.stdinIsTTY) {
    throw new UsageError(
      `${direction} changes the cluster and needs confirmation: pass --yes (or --dry-run=client to see the plan first)`,
    );
  }
  deps.io.err(planText(plans));
  const answer = await deps.io.ask(`Apply these changes to the cluster? [y/N] `);
  return /^(y|yes)$/i.test(answer?.trim() ?? '');
}

/**
 * The kubectl-style lines of a run. When several components converge side by side their
 * lines interleave, so each line then starts with its component.
 */
function reporter(deps: VerbDeps, structured: boolean, progress: Progress, sideBySide: boolean): (event: ApplyEvent) => void {
  // With -o json|yaml stdout carries the plan only; the kubectl-style lines move to stderr.
  const say = structured ? deps.io.err : deps.io.out;
  return (event) => {
    const prefix = sideBySide ? `${event.component}: ` : '';
    switch (event.type) {
      case 'wrote':
        say(`${prefix}${kubectlName(event.step.ref)} ${pastTense(event.step.action)}${event.dryRun ? ' (server dry run)' : ''}\n`);
        break;
      case 'wait-started':
        deps.log(6, () => `${event.component}: wait started: ${event.waitFor.description}`);
        break;
      case 'waiting':
        progress.update(`${prefix}waiting for ${event.waitFor.description}: ${event.detail}`, event.component);
        break;
      case 'waited':
        progress.done(`${prefix}${event.waitFor.description} (${event.seconds.toFixed(1)}s)`, event.component);
        break;
      case 'replanned':
        deps.io.err(`${prefix}${kubectlName(event.step.ref)} changed since it was read; planning it again\n`);
        break;
      case 'stopped':
        deps.io.err(`${event.component}: stopped before ${event.before} as ${event.because} failed; the changes before it are kept\n`);
        break;
      case 'failed':
        deps.io.err(`${event.component}: error: ${event.error instanceof Error ? event.error.message : String(event.error)}\n`);
        break;
    }
  };
}

export async function converge(direction: Direction, options: ConvergeOptions, deps: VerbDeps): Promise<number> {
  const started = Date.now();
  const kube = await deps.kube();
  // Asked beside the reads: one round trip for both.
  const everything = options.dryRun === 'client' ? undefined : mayDoEverything(kube);
  const { plans } = await planComponents(kube, options.namespace, options.components, direction, settingsFrom(options));
  return applyConverging(plans, options, deps, {
    started,
    everything,
    what: direction,
    unchanged: `${options.components.join(', ')}: already ${direction === 'enable' ? 'highly available and in sync' : 'in their original form'}; nothing to change`,
    done: (changed) => `${direction}d ${changed.join(', ')}`,
  });
}

export interface ConvergeWording {
  /** When the run started (its --timeout counts from here). */
  started: number;
  /** mayDoEverything asked beside the reads, if it was. */
  everything: Promise<boolean> | undefined;
  /** The verb, for the confirmation: "enable changes the cluster…". */
  what: string;
  unchanged: string;
  done: (changed: string[]) => string;
}

/** Planned writes: shown (--dry-run=client), checked against the user's access, confirmed, applied in the safe order, reported. */
export async function applyConverging(
  plans: ComponentPlan[],
  options: Pick<ConvergeOptions, 'dryRun' | 'output' | 'namespace' | 'yes' | 'timeoutMs'>,
  deps: VerbDeps,
  wording: ConvergeWording,
): Promise<number> {
  const kube = await deps.kube();
  for (const warning of plans.flatMap((plan) => plan.warnings)) deps.io.err(`Warning: ${warning}\n`);
  const structured = options.output !== 'text';
  const writes = plans.flatMap(writesOf);

  if (options.dryRun === 'client') {
    if (structured) await printData(deps, planData(plans), options.output);
    else deps.io.out(planText(plans));
    return 0;
  }
  if (writes.length > 0) {
    await requireAccess(kube, plans, options.namespace, wording.everything);
    if (!(await confirm(plans, options, deps, wording.what))) {
      deps.io.err('Aborted: nothing was changed.\n');
      return 0;
    }
  }
  const progress = new Progress(deps.io);
  const report = reporter(deps, structured, progress, plans.filter((plan) => writesOf(plan).length > 0).length > 1);
  const deadline = options.timeoutMs > 0 ? wording.started + options.timeoutMs : Number.POSITIVE_INFINITY;
  try {
    await applyPlans(kube, plans, {
      dryRun: options.dryRun === 'server' ? 'server' : 'none',
      deadline,
      onEvent: report,
      signal: deps.signal,
    });
  } finally {
    progress.stop();
  }
  if (structured) await printData(deps, planData(plans), options.output);
  const seconds = ((Date.now() - wording.started) / 1000).toFixed(1);
  const changed = plans.filter((plan) => writesOf(plan).length > 0).map((plan) => plan.component);
  deps.io.err(
    writes.length === 0
      ? `${wording.unchanged} (${seconds}s)\n`
      : `${wording.done(changed)}: ${writes.length} change${writes.length === 1 ? '' : 's'} in ${seconds}s\n`,
  );
  return 0;
}
