// check-drift's model: the enable plan, read as findings. A copy that differs from what
// enable would make of its original has drifted; the plan's patch says exactly where.
import type { Operation } from '../engine/json-patch.ts';
import { getValueByPointer } from '../engine/json-patch.ts';
import type { Snapshot } from '../engine/read.ts';
import type { ComponentPlan, WriteStep } from '../engine/types.ts';
import { writesOf } from '../engine/types.ts';
import type { KubeObject } from '../kube/types.ts';
import { AUTOSCALER_IMAGE, AUTOSCALER_NAME } from '../recipes/autoscaler.ts';
import { RECIPES } from '../recipes/index.ts';
import type { Component } from './options.ts';
import { kubectlName } from './plan-render.ts';
import { planFrom } from './planning.ts';
import { describeChange } from './drift-change.ts';

export type FindingKind = 'image' | 'field' | 'config' | 'original-running' | 'replicas' | 'missing' | 'autoscaler-image' | 'object';

export interface DriftFinding {
  component: Component;
  kind: FindingKind;
  /** kubectl's name of the object that differs, e.g. deployment.apps/coredns-ha. */
  object: string;
  /** Where, in words or as a field path. */
  field: string;
  /** What the original (or this version of the plugin) has. */
  expected: unknown;
  /** What is live on the copy. */
  actual: unknown;
  message: string;
  repair: string;
}

export interface ComponentDrift {
  component: Component;
  enabled: boolean;
  drift: boolean;
  findings: DriftFinding[];
}

export interface DriftReport {
  apiVersion: 'kapsule-ha/v1';
  kind: 'DriftReport';
  drift: boolean;
  components: ComponentDrift[];
}

export const isEnabled = (component: Component, snapshot: Snapshot): boolean => RECIPES[component].isEnabled(snapshot.view);

const valueAt = (object: KubeObject | undefined, path: string): unknown => {
  try {
    return object ? getValueByPointer(object, path) : undefined;
  } catch {
    return undefined;
  }
};

/** `/spec/template/spec/containers/0/image` → `containers[coredns].image`, readable and stable. */
function fieldName(object: KubeObject, path: string): string {
  const match = /^\/spec\/template\/spec\/(containers|initContainers)\/(\d+)(\/[^/]+)?/.exec(path);
  if (match) {
    const containers = valueAt(object, `/spec/template/spec/${match[1]}`) as { name: string }[] | undefined;
    const name = containers?.[Number(match[2])]?.name ?? match[2];
    return `${match[1]}[${name}]${match[3] ? `.${match[3].slice(1)}` : ''}`;
  }
  return path.slice(1).replaceAll('/', '.').replaceAll('~1', '/').replaceAll('~0', '~');
}

/**
 * The op paths cut to the field a person thinks in: a container's image, args, env; the pod
 * spec's volumes, tolerations, affinity… (one finding per field, its items named in it).
 */
function fieldPaths(patch: Operation[]): string[] {
  const paths = patch
    .filter((op) => op.path !== '/metadata/resourceVersion')
    .map((op) => {
      const field =
        /^(\/spec\/template\/spec\/(?:containers|initContainers)\/\d+\/[^/]+)/.exec(op.path) ??
        /^(\/spec\/template\/spec\/(?!containers\/|initContainers\/)[^/]+)/.exec(op.path);
      return field ? field[1]! : op.path;
    });
  return [...new Set(paths)];
}

function findingsOfPatch(component: Component, step: Extract<WriteStep, { action: 'patch' }>, repair: string): DriftFinding[] {
  const object = kubectlName(step.ref);
  const ours = step.source.owned;
  return fieldPaths(step.patch).map((path) => {
    const expected = valueAt(step.target, path);
    const actual = valueAt(step.live, path);
    const field = fieldName(step.target, path);
    const base = { component, object, field, expected, actual, repair };
    if (!ours && path === '/spec/replicas') {
      return (component === 'cilium-operator'
        ? { ...base, kind: 'replicas', message: `${object} runs ${String(actual)} replica(s), enabled with ${String(expected)}` }
        : {
            ...base,
            kind: 'original-running',
            message: `original ${object} scaled back to ${String(actual)}: two sets of pods behind one Service (an upgrade resets it)`,
          }) as DriftFinding;
    }
    if (step.ref.name === AUTOSCALER_NAME && step.ref.kind === 'Deployment' && /\.image$/.test(field)) {
      return { ...base, kind: 'autoscaler-image', message: `${object} runs ${String(actual)}; this version installs ${AUTOSCALER_IMAGE}` };
    }
    if (/\.image$/.test(field)) {
      return { ...base, kind: 'image', message: `${object} ${field}: original ${String(expected)} → copy ${String(actual)}` };
    }
    if (step.ref.kind === 'ConfigMap' && path.startsWith('/data')) {
      return { ...base, kind: 'config', message: `${object} ${field} differs from the original's${lineChange(expected, actual)}` };
    }
    const list = field.split(/[.\]]/).at(-1) ?? field;
    return { ...base, kind: ours ? 'field' : 'object', message: `${object} ${field}: ${describeChange(list, actual, expected)}` };
  });
}

/** The first line that differs between two texts, as "original → copy". */
function lineChange(expected: unknown, actual: unknown): string {
  if (typeof expected !== 'string' || typeof actual !== 'string') return '';
  const [a, b] = [expected.split('\n'), actual.split('\n')];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `: line ${i + 1} original "${(a[i] ?? '').trim()}" → copy "${(b[i] ?? '').trim()}"`;
  }
  return '';
}

export function findingsOfWrite(component: Component, step: WriteStep, repair: string): DriftFinding[] {
  if (step.action === 'patch') return findingsOfPatch(component, step, repair);
  const object = kubectlName(step.ref);
  if (step.action === 'create') {
    return [{ component, kind: 'missing', object, field: '', expected: 'present', actual: 'missing', message: `${object} is missing (${step.source.purpose})`, repair }];
  }
  return [{ component, kind: 'object', object, field: '', expected: 'absent', actual: 'present', message: `${object} should not exist`, repair }];
}

/** A component's drift (with the enable plan it was read from, when enabled), or why it cannot be judged (its recipe refuses the cluster as it is). */
export type JudgedDrift = { component: Component; drift: ComponentDrift; plan?: ComponentPlan } | { component: Component; refused: unknown };

/**
 * The one place drift is judged: the enable plan of each enabled component, with the
 * options left out keeping what is live (pools, autoscaler parameters, replicas), read as
 * findings. Components not enabled have no plan: they are reported as such, not as drift.
 * `context`: named in each repair command (fleet runs), so that it acts on the right cluster.
 */
export function judgeDrift(snapshot: Snapshot, components: Component[], namespace: string, context?: string): JudgedDrift[] {
  return components.map((component): JudgedDrift => {
    if (!isEnabled(component, snapshot)) return { component, drift: { component, enabled: false, drift: false, findings: [] } };
    let plan: ComponentPlan;
    try {
      plan = planFrom(snapshot, [component], 'enable', { force: true }).plans[0]!;
    } catch (error) {
      return { component, refused: error };
    }
    const flags = `${context === undefined ? '' : ` --context ${shellWord(context)}`}${namespace === 'kube-system' ? '' : ` -n ${namespace}`}`;
    const repair = `kubectl kapsule-ha enable ${component}${flags}`;
    const findings = writesOf(plan).flatMap((step) => findingsOfWrite(component, step, repair));
    return { component, drift: { component, enabled: true, drift: findings.length > 0, findings }, plan };
  });
}

/** check-drift's report: throws the first refusal, as a report with a component missing would mislead. */
export function driftReportOf(judged: JudgedDrift[]): DriftReport {
  const components = judged.map((entry) => {
    if ('refused' in entry) throw entry.refused;
    return entry.drift;
  });
  return { apiVersion: 'kapsule-ha/v1', kind: 'DriftReport', drift: components.some((c) => c.drift), components };
}

/** Drift per component as status shows it: null when it cannot be judged. */
export const driftFlags = (judged: JudgedDrift[]): Map<Component, boolean | null> =>
  new Map(judged.map((entry) => [entry.component, 'refused' in entry ? null : entry.drift.drift]));

/** Findings per component (0 when it cannot be judged), for a fleet run's summary row. */
export const findingCounts = (judged: JudgedDrift[]) => (component: Component): number => {
  const entry = judged.find((candidate) => candidate.component === component);
  return entry && 'drift' in entry ? entry.drift.findings.length : 0;
};


/** A context name as a shell word: quoted only when it must be. */
const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`);
