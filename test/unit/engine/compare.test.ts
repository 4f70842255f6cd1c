import { describe, expect, it } from 'vitest';
import { diffPatch, overlay, target } from '../../../src/engine/compare.ts';
import type { DesiredObject } from '../../../src/engine/types.ts';
import type { KubeObject } from '../../../src/kube/types.ts';

const live: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'x', namespace: 'ns', resourceVersion: '7', uid: 'u', labels: { a: '1', other: 'kept' } },
  data: { one: '1', two: '2' },
};
const desired = (object: KubeObject, mode: DesiredObject['mode'], keepLive?: string[]): DesiredObject => ({
  object,
  ref: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'ns' },
  mode,
  owned: true,
  purpose: 'test',
  ...(keepLive ? { keepLive } : {}),
});

describe('overlay', () => {
  it('keeps live fields the desired side does not name, and null removes a key', () => {
    expect(overlay({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 5, d: null } })).toEqual({ a: 1, b: { c: 5 } });
  });

  it('merges arrays of equal length item by item, so defaults inside list items survive', () => {
    expect(overlay([{ name: 'x', policy: 'Default' }], [{ name: 'y' }])).toEqual([{ name: 'y', policy: 'Default' }]);
  });

  it('replaces an array whose length changed', () => {
    expect(overlay([{ a: 1 }, { a: 2 }], [{ b: 1 }])).toEqual([{ b: 1 }]);
  });
});

describe('diffPatch', () => {
  it('is empty when the live object already holds what is desired', () => {
    expect(diffPatch(live, desired({ ...live, metadata: { name: 'x', labels: { a: '1' } } }, 'subset'))).toEqual([]);
  });

  it('guards every write with a test on the resourceVersion read', () => {
    const patch = diffPatch(live, desired({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { one: 'uno' } }, 'subset'));
    expect(patch[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '7' });
    expect(patch.slice(1)).toEqual([{ op: 'replace', path: '/data/one', value: 'uno' }]);
  });

  it('removes in exact mode what the desired object lacks, but never labels others added', () => {
    const patch = diffPatch(live, desired({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: '1' } }, data: { one: '1' } }, 'exact'));
    expect(patch.slice(1)).toEqual([{ op: 'remove', path: '/data/two' }]);
  });

  it('leaves fields named in keepLive as they are live', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { one: 'changed', two: '2' } };
    expect(diffPatch(live, desired(object, 'exact', ['/data/one']))).toEqual([]);
    expect(target(live, desired(object, 'exact', ['/data/one'])).data).toEqual({ one: '1', two: '2' });
  });
});
