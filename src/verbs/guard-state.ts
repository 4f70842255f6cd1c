// The guard as `guard` and `status` show it: installed or not, how, by which version, and
// its last result (written by `guard run` to a ConfigMap, so no pod log is needed).
import type { KubeClient, KubeObject } from '../kube/types.ts';
import { GUARD_NAME, GUARD_NAMESPACE, GUARD_RESULT, installedVersion, liveGuardSettings } from '../recipes/guard.ts';
import { VERSION } from '../version.ts';
import type { Component } from './options.ts';
import type { DriftFinding } from './drift.ts';

/** What one run of the guard found and did. */
export interface GuardResult {
  apiVersion: 'kapsule-ha/v1';
  kind: 'GuardResult';
  /** When the run ended (RFC 3339). */
  time: string;
  /** The plugin version that ran. */
  version: string;
  mode: 'check' | 'repair';
  /** clean: no drift; drift: drift found (check-only, or left after a repair); repaired: found and repaired; failed: see problems. */
  outcome: 'clean' | 'drift' | 'repaired' | 'failed';
  /** The drift found at the start of the run. */
  findings: DriftFinding[];
  /** Components repaired by `enable` (repair mode). */
  repaired: Component[];
  /** What a person must look at: a refusal, a failure, drift left after a repair. */
  problems: string[];
}

export interface GuardStatus {
  installed: boolean;
  namespace: string;
  schedule?: string | undefined;
  image?: string | undefined;
  mode?: 'check' | 'repair' | undefined;
  /** The plugin version that installed it. */
  version?: string | undefined;
  lastResult: GuardResult | null;
  /** Versions that differ from this plugin's, and the like. */
  warnings: string[];
}

export const RESULT_KEY = 'result';

export function parseResult(configMap: KubeObject | undefined): GuardResult | null {
  const text = (configMap?.data as Record<string, string> | undefined)?.[RESULT_KEY];
  if (!text) return null;
  try {
    return JSON.parse(text) as GuardResult;
  } catch {
    return null;
  }
}

export function guardStatusOf(cronJob: KubeObject | undefined, resultMap: KubeObject | undefined): GuardStatus {
  if (!cronJob) return { installed: false, namespace: GUARD_NAMESPACE, lastResult: null, warnings: [] };
  const settings = liveGuardSettings(cronJob);
  const version = installedVersion(cronJob);
  const lastResult = parseResult(resultMap);
  const warnings: string[] = [];
  const ran = lastResult?.version;
  if ((version !== undefined && version !== VERSION) || (ran !== undefined && ran !== VERSION)) {
    warnings.push(
      `the guard is version ${ran ?? version}, this plugin is ${VERSION}: ` +
        `run "kubectl kapsule-ha guard install" to update it (or pass --image with a mirror of v${VERSION})`,
    );
  }
  return {
    installed: true,
    namespace: GUARD_NAMESPACE,
    schedule: settings.schedule,
    image: settings.image,
    mode: settings.repair ? 'repair' : 'check',
    version,
    lastResult,
    warnings,
  };
}

/** Reads the guard; undefined when this user may not read it (status then leaves it out). */
export async function readGuardStatus(kube: KubeClient): Promise<GuardStatus> {
  const [cronJob, resultMap] = await Promise.all([
    kube.get({ apiVersion: 'batch/v1', kind: 'CronJob', namespace: GUARD_NAMESPACE, name: GUARD_NAME }),
    kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: GUARD_NAMESPACE, name: GUARD_RESULT }),
  ]);
  return guardStatusOf(cronJob, resultMap);
}

export function guardText(status: GuardStatus): string[] {
  if (!status.installed) return ['guard: not installed (kubectl kapsule-ha guard install)'];
  const lines = [
    `guard: installed in namespace ${status.namespace}, version ${status.version ?? 'unknown'}, ${status.mode === 'repair' ? 'repairs drift' : 'check-only'}, schedule "${status.schedule}", image ${status.image}`,
  ];
  const result = status.lastResult;
  if (!result) lines.push('  last run: none yet');
  else {
    const summary =
      result.outcome === 'clean'
        ? 'clean'
        : result.outcome === 'repaired'
          ? `repaired ${result.repaired.join(', ')} (${result.findings.length} finding(s))`
          : result.outcome === 'drift'
            ? `drift: ${result.findings.length} finding(s)`
            : 'failed';
    lines.push(`  last run: ${result.time} by version ${result.version} (${result.mode}): ${summary}`);
    if (result.outcome !== 'clean') for (const finding of result.findings) lines.push(`    ${finding.component}: ${finding.message}`);
    for (const problem of result.problems) lines.push(`    problem: ${problem}`);
  }
  return lines;
}
