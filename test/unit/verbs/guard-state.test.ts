// What `guard` and `status` say of the installed guard: its settings, its last result, and
// a warning when its version is not this plugin's.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE, guardObjects } from '../../../src/recipes/guard.ts';
import { guardStatusOf, guardText, type GuardResult } from '../../../src/verbs/guard-state.ts';
import { DEFAULT_IMAGE, VERSION } from '../../../src/version.ts';

const cronJob = (version = VERSION) => {
  const object = guardObjects({ namespace: 'kube-system', schedule: DEFAULT_SCHEDULE, image: DEFAULT_IMAGE, repair: false }).find((o) => o.kind === 'CronJob')!;
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, 'app.kubernetes.io/version': version } } };
};
const result = (overrides: Partial<GuardResult> = {}): GuardResult => ({
  apiVersion: 'kapsule-ha/v1',
  kind: 'GuardResult',
  time: '2026-12-04T03:30:00.000Z',
  version: VERSION,
  mode: 'check',
  outcome: 'clean',
  findings: [],
  repaired: [],
  problems: [],
  ...overrides,
});
const resultMap = (value: GuardResult) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kapsule-ha-guard-result' }, data: { result: JSON.stringify(value) } });

describe('the guard as guard and status show it', () => {
  it('not installed', () => {
    expect(guardText(guardStatusOf(undefined, undefined))).toEqual(['guard: not installed (kubectl kapsule-ha guard install)']);
  });

  it('installed, with its last result and no warning at this version', () => {
    const status = guardStatusOf(cronJob(), resultMap(result()));
    expect(status).toMatchObject({ installed: true, mode: 'check', schedule: DEFAULT_SCHEDULE, image: DEFAULT_IMAGE, version: VERSION, warnings: [] });
    expect(guardText(status)[1]).toBe(`  last run: 2026-12-04T03:30:00.000Z by version ${VERSION} (check): clean`);
  });

  it('warns when the installed guard, or the version that last ran, is not this plugin', () => {
    expect(guardStatusOf(cronJob('0.0.9'), undefined).warnings).toEqual([expect.stringMatching(/the guard is version 0\.0\.9, this plugin is .*guard install/)]);
    expect(guardStatusOf(cronJob(), resultMap(result({ version: '0.0.8' }))).warnings).toEqual([expect.stringMatching(/the guard is version 0\.0\.8/)]);
  });

  it('a result it cannot parse is no result', () => {
    expect(guardStatusOf(cronJob(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { result: '{' } }).lastResult).toBeNull();
  });
});
