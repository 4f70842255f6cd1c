// Release archives that are byte-for-byte reproducible: sorted entries, fixed mtimes and
// owners, gzip without a name or timestamp. Plus the .sha256 file and dist/plugin.yaml.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface ArchiveInput {
  /** Files to put at the archive's root, in any order. */
  files: string[];
  output: string;
  stagingDir: string;
}

export function makeTarGz(input: ArchiveInput): string {
  rmSync(input.stagingDir, { recursive: true, force: true });
  mkdirSync(input.stagingDir, { recursive: true });
  for (const file of input.files) {
    const staged = join(input.stagingDir, basename(file));
    copyFileSync(file, staged);
    chmodSync(staged, basename(file) === 'LICENSE' ? 0o644 : 0o755);
  }
  const names = input.files.map((file) => basename(file)).sort();
  const tar = execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu', '-C', input.stagingDir, '-cf', '-', ...names], {
    maxBuffer: 1 << 30,
  });
  writeFileSync(input.output, execFileSync('gzip', ['-n', '-9'], { input: tar, maxBuffer: 1 << 30 }));
  const sha256 = sha256Of(input.output);
  writeFileSync(`${input.output}.sha256`, `${sha256}  ${basename(input.output)}\n`);
  return sha256;
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * dist/plugin.yaml from plugin.yaml: each platform's `sha256` placeholder becomes the
 * real digest of the archive it names (platforms not built keep theirs out).
 */
export function renderPluginManifest(template: string, digests: Record<string, string>): string {
  const blocks = template.split(/(?=^  - selector:)/m);
  const [head = '', ...platforms] = blocks;
  const kept = platforms.flatMap((block) => {
    const archive = /uri: \S+\/(kubectl-kapsule_ha_[a-z0-9_]+\.(?:tar\.gz|zip))/.exec(block)?.[1];
    const digest = archive ? digests[archive] : undefined;
    return digest ? [block.replace(/sha256: \S+/, `sha256: ${digest}`)] : [];
  });
  return head + kept.join('');
}
