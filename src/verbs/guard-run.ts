// `guard run`: what the guard's CronJob runs, in the cluster. check-drift; a Warning Event
// on each drifted object (the finding and the repair command); with --repair, `enable` of
// the drifted components with the settings the last enable left on the cluster (never
// disable, never --force); the result written to its ConfigMap. Exit 0 clean (or repaired),
// 1 drift, 3 something a person must look at.
import { hostname } from 'node:os';
import { inClusterNamespace } from '../kube/kubeconfig.ts';
import { EXIT } from '../kube/exit-codes.ts';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/types.ts';
import { writesOf, type ComponentPlan, type WriteStep } from '../engine/types.ts';
import { GUARD_NAMESPACE, GUARD_RESULT } from '../recipes/guard.ts';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../engine/ownership.ts';
import { RECIPES } from '../recipes/index.ts';
import { deploymentRef } from '../recipes/types.ts';
import { VERSION } from '../version.ts';
import { driftText } from './check-drift.ts';
import { applyConverging } from './converge.ts';
import { driftReportOf, findingsOfWrite, judgeDrift, type DriftReport } from './drift.ts';
import { RESULT_KEY, type GuardResult } from './guard-state.ts';
import { COMPONENTS, type Component, type GuardOptions, type VerbDeps } from './options.ts';
import { planComponents, readFor } from './planning.ts';

export const DRIFT_REASON = 'KapsuleHADrift';
const REPORTER = 'kapsule-ha-guard';
/** The API server keeps an Event's message up to 1 KiB. */
const EVENT_MESSAGE_LIMIT = 1024;

interface Drifted {
  report: DriftReport;
  /** Each drifted object (or, for a missing one, its component's original) and its findings. */
  objects: { object: KubeObject; messages: string[]; repair: string }[];
}

async function checkDrift(kube: KubeClient, namespace: string): Promise<Drifted> {
  const snapshot = await readFor(kube, namespace, [...COMPONENTS]);
  // Settings left out keep what the last enable set, as check-drift: the plan is never applied.
  const judged = judgeDrift(snapshot, [...COMPONENTS], namespace);
  const report = driftReportOf(judged);
  const plans = judged.flatMap((entry) => ('plan' in entry && entry.plan ? [entry.plan] : []));
  const objects = new Map<string, Drifted['objects'][number]>();
  for (const componentPlan of plans) {
    const component = componentPlan.component as Component;
    const repair = report.components.find((entry) => entry.component === component)?.findings[0]?.repair ?? `kubectl kapsule-ha enable ${component}`;
    for (const step of writesOf(componentPlan)) {
      const object = involvedObject(step, snapshot.view.get(deploymentRef(namespace, RECIPES[component].original)));
      if (!object) continue;
      const key = `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`;
      const entry = objects.get(key) ?? { object, messages: [], repair };
      entry.messages.push(...findingsOfWrite(component, step, repair).map((finding) => finding.message));
      objects.set(key, entry);
    }
  }
  return { report, objects: [...objects.values()] };
}

/** The object an Event is about: the drifted one, or for a missing one the original it belongs to. */
function involvedObject(step: WriteStep, original: KubeObject | undefined): KubeObject | undefined {
  if (step.action === 'create') return original;
  return step.live;
}

function driftEvent(object: KubeObject, messages: string[], repair: string): KubeObject {
  const now = new Date().toISOString();
  const text = `kapsule-ha guard: ${messages.join('; ')}. Repair: ${repair}`;
  const message = text.length > EVENT_MESSAGE_LIMIT ? `${text.slice(0, EVENT_MESSAGE_LIMIT - 1)}…` : text;
  const { name, namespace, uid, resourceVersion } = object.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${name}.`, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } } as unknown as KubeObject['metadata'],
    involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name, namespace, uid, resourceVersion },
    type: 'Warning',
    reason: DRIFT_REASON,
    message,
    source: { component: REPORTER },
    reportingComponent: REPORTER,
    reportingInstance: process.env.POD_NAME ?? hostname(),
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** `enable` of the drifted components, as a person would run it: no tuning flag (the last enable's settings), no --force. */
async function repair(kube: KubeClient, components: Component[], options: GuardOptions, deps: VerbDeps): Promise<void> {
  const started = Date.now();
  const { plans } = await planComponents(kube, options.namespace, components, 'enable', { force: false });
  await applyConverging(plans as ComponentPlan[], { ...options, dryRun: 'none', yes: true, output: 'text' }, deps, {
    started,
    everything: undefined,
    what: 'enable',
    unchanged: `${components.join(', ')}: nothing to repair`,
    done: (changed) => `repaired ${changed.join(', ')}`,
  });
}

export async function runGuard(options: GuardOptions, deps: VerbDeps): Promise<number> {
  const kube = await deps.kube();
  const mode = options.repair ? 'repair' : 'check';
  const result: GuardResult = { apiVersion: 'kapsule-ha/v1', kind: 'GuardResult', time: '', version: VERSION, mode, outcome: 'clean', findings: [], repaired: [], problems: [] };
  let code: number = EXIT.ok;
  try {
    const found = await checkDrift(kube, options.namespace);
    deps.io.out(driftText(found.report));
    result.findings = found.report.components.flatMap((component) => component.findings);
    if (found.report.drift) {
      code = EXIT.different;
      result.outcome = 'drift';
      const events = await Promise.allSettled(found.objects.map(({ object, messages, repair: command }) => kube.create(driftEvent(object, messages, command))));
      for (const failed of events.filter((outcome) => outcome.status === 'rejected')) result.problems.push(`could not record an Event: ${messageOf(failed.reason)}`);
    }
    if (found.report.drift && options.repair) {
      const drifted = found.report.components.filter((component) => component.drift).map((component) => component.component);
      try {
        await repair(kube, drifted, options, deps);
        const after = await checkDrift(kube, options.namespace);
        if (after.report.drift) {
          result.problems.push(...after.report.components.flatMap((component) => component.findings.map((finding) => `still drifted after the repair: ${finding.message}`)));
        } else {
          result.outcome = 'repaired';
          result.repaired = drifted;
          code = EXIT.ok;
        }
      } catch (error) {
        // A refusal (foreign object, preflight), a failure or a timeout: a person decides.
        result.problems.push(`the repair (enable ${drifted.join(' ')}) stopped: ${messageOf(error)}`);
        code = EXIT.failure;
      }
    }
  } catch (error) {
    result.outcome = 'failed';
    result.problems.push(messageOf(error));
    code = EXIT.failure;
  }
  if (code === EXIT.failure && result.outcome !== 'failed') result.outcome = 'failed';
  result.time = new Date().toISOString();
  code = await recordResult(kube, result, deps, code);
  for (const problem of result.problems) deps.io.err(`error: ${problem}\n`);
  return code;
}

/** The result into the guard's own ConfigMap (the one object it may write besides Events). */
async function recordResult(kube: KubeClient, result: GuardResult, deps: VerbDeps, code: number): Promise<number> {
  const ref: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: inClusterNamespace(deps.io.env) ?? GUARD_NAMESPACE, name: GUARD_RESULT };
  try {
    await kube.patch(ref, { data: { [RESULT_KEY]: JSON.stringify(result) } }, 'merge');
    return code;
  } catch (error) {
    deps.io.err(`error: could not record the result in configmap/${GUARD_RESULT} in ${ref.namespace}: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
}
