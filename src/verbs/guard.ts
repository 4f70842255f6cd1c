// `guard`: show, install (or change), diff and remove the in-cluster guard. Its objects
// are a recipe (recipes/guard.ts) planned and applied by the same engine as enable's.
import { PreflightError } from '../engine/errors.ts';
import { UsageError } from '../kube/exit-codes.ts';
import { plan } from '../engine/plan.ts';
import { readRefs } from '../engine/read.ts';
import type { ComponentPlan } from '../engine/types.ts';
import type { KubeClient } from '../kube/types.ts';
import {
  DEFAULT_SCHEDULE,
  defaultImage,
  GUARD_NAME,
  GUARD_NAMESPACE,
  guardInstall,
  guardRefs,
  guardRemoval,
  liveGuardSettings,
  type GuardSettings,
} from '../recipes/guard.ts';
import { COMPONENTS, type GuardOptions, type VerbDeps } from './options.ts';
import { applyConverging } from './converge.ts';
import { showDiffs } from './diff.ts';
import { runGuard } from './guard-run.ts';
import { guardStatusOf, guardText, readGuardStatus } from './guard-state.ts';
import { isEnabled } from './drift.ts';
import { mayDoEverything } from './permissions.ts';
import { readFor } from './planning.ts';
import { printData } from './print.ts';

const cronJobRef = { apiVersion: 'batch/v1', kind: 'CronJob', namespace: GUARD_NAMESPACE, name: GUARD_NAME };

/** The plan of install (or of a change): flags over the installed guard's settings, over the defaults. */
async function installPlan(kube: KubeClient, options: GuardOptions): Promise<ComponentPlan> {
  const live = await readRefs(kube, guardRefs(options.namespace));
  const installed = liveGuardSettings([...live.values()].find((object) => object?.kind === 'CronJob'));
  const settings: GuardSettings = {
    namespace: options.namespace,
    schedule: options.schedule ?? installed.schedule ?? DEFAULT_SCHEDULE,
    image: options.image ?? defaultImage(installed.image),
    repair: options.repair ?? installed.repair ?? false,
  };
  if (settings.repair) await requireSomethingEnabled(kube, options.namespace);
  return plan(guardInstall(settings), live);
}

/** Repair re-runs the last enable: with nothing enabled, there is nothing it could repair. */
async function requireSomethingEnabled(kube: KubeClient, namespace: string): Promise<void> {
  const snapshot = await readFor(kube, namespace, [...COMPONENTS]);
  if (COMPONENTS.some((component) => isEnabled(component, snapshot))) return;
  throw new PreflightError(
    `--repair re-runs the last "enable" with its settings, but no component is enabled in ${namespace}: ` +
      'run "kubectl kapsule-ha enable <components>" first, or install the guard without --repair; nothing was changed.',
  );
}

export async function run(options: GuardOptions, deps: VerbDeps): Promise<number> {
  if (options.action === 'run') return runGuard(options, deps);
  const started = Date.now();
  const kube = await deps.kube();
  switch (options.action) {
    case 'show': {
      const status = await readGuardStatus(kube);
      for (const warning of status.warnings) deps.io.err(`Warning: ${warning}\n`);
      if (options.output === 'text') deps.io.out(`${guardText(status).join('\n')}\n`);
      else await printData(deps, { apiVersion: 'kapsule-ha/v1', kind: 'GuardStatus', ...status }, options.output);
      return 0;
    }
    case 'diff':
      return showDiffs([await installPlan(kube, options)], 'guard install', deps);
    case 'install': {
      const everything = options.dryRun === 'client' ? undefined : mayDoEverything(kube);
      const planned = await installPlan(kube, options);
      const createsNamespace = planned.steps.some((step) => step.action === 'create' && step.ref.kind === 'Namespace');
      if (options.dryRun === 'server' && createsNamespace) {
        // The API server cannot judge objects of a namespace that a dry run did not create (kubectl apply alike).
        throw new UsageError(`--dry-run=server cannot check the guard's objects before its namespace ${GUARD_NAMESPACE} exists: use --dry-run=client (or diff) for a first install`);
      }
      const code = await applyConverging([planned], options, deps, {
        started,
        everything,
        what: 'guard install',
        unchanged: 'guard: already installed as asked; nothing to change',
        done: () => 'guard installed',
      });
      if (options.dryRun === 'none') {
        const status = guardStatusOf(await kube.get(cronJobRef), undefined);
        deps.io.err(`${guardText({ ...status, lastResult: null })[0]}\n`);
      }
      return code;
    }
    case 'remove': {
      const everything = options.dryRun === 'client' ? undefined : mayDoEverything(kube);
      const live = await readRefs(kube, guardRefs(options.namespace));
      return applyConverging([plan(guardRemoval(options.namespace), live)], options, deps, {
        started,
        everything,
        what: 'guard remove',
        unchanged: 'guard: not installed; nothing to remove',
        done: () => 'guard removed',
      });
    }
  }
}
