// The release archive and the local krew manifest (build/archive.ts), without a full build.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTarGz, renderPluginManifest, sha256Of } from '../../build/archive.ts';

function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'kapsule-ha-archive-'));
}

describe('release archives', () => {
  it('are byte-for-byte the same for the same files, whatever their order and times', () => {
    const dir = workDir();
    writeFileSync(join(dir, 'bin'), '#!/bin/sh\necho hi\n');
    writeFileSync(join(dir, 'LICENSE'), 'Apache-2.0\n');
    const entries = [
      { name: 'kubectl-kapsule_ha', source: join(dir, 'bin'), executable: true },
      { name: 'LICENSE', source: join(dir, 'LICENSE'), executable: false },
    ];
    const first = makeTarGz(entries, join(dir, 'a.tar.gz'));
    const second = makeTarGz([...entries].reverse(), join(dir, 'b.tar.gz'));
    expect(second).toBe(first);
    expect(readFileSync(join(dir, 'a.tar.gz.sha256'), 'utf8')).toBe(`${first}  a.tar.gz\n`);
    expect(sha256Of(join(dir, 'a.tar.gz'))).toBe(first);
  });

  it('unpack with tar: sorted entries, modes kept, owner root, time 1970', () => {
    const dir = workDir();
    writeFileSync(join(dir, 'bin'), 'binary');
    writeFileSync(join(dir, 'LICENSE'), 'text');
    makeTarGz(
      [
        { name: 'kubectl-kapsule_ha', source: join(dir, 'bin'), executable: true },
        { name: 'LICENSE', source: join(dir, 'LICENSE'), executable: false },
      ],
      join(dir, 'x.tar.gz'),
    );
    const listing = execFileSync('tar', ['-tvzf', join(dir, 'x.tar.gz'), '--numeric-owner'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(listing).toMatch(/^-rw-r--r-- 0\/0 +4 1970-01-01 00:00 LICENSE\n-rwxr-xr-x 0\/0 +6 1970-01-01 00:00 kubectl-kapsule_ha\n$/);
  });
});

describe('dist/plugin.yaml', () => {
  it('gets the real digest of each archive built, and leaves out the platforms not built', () => {
    const rendered = renderPluginManifest(readFileSync('plugin.yaml', 'utf8'), { 'kubectl-kapsule_ha_linux_amd64.tar.gz': 'a'.repeat(64) });
    expect(rendered).toContain(`sha256: ${'a'.repeat(64)}`);
    expect(rendered).toContain('arch: amd64');
    expect(rendered).not.toContain('arch: arm64');
    expect(rendered).not.toContain('written-by-the-build');
  });
});
