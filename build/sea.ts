// A Node single executable: the bundle's blob injected with postject into a copy of a
// Node 24 runtime (the pinned one, or a foreign-arch one from the npm registry).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, openSync, readSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postject from 'postject';

export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * V8 flags the executable always runs with (NODE_OPTIONS still adds to them). A young
 * generation of at most 4 MiB per semi-space instead of V8's 16: a fleet run's clusters
 * each allocate a few MiB that die young, and with the default V8 grows its heap far past
 * what is live (`check-drift --all-contexts` over 1,000 contexts: 263 MiB peak RSS with
 * 27 MiB live; 142 MiB with this), at no measurable cost to a single cluster's run.
 */
export const EXEC_ARGV = ['--max-semi-space-size=4'];

export interface SeaInput {
  /** The CommonJS bundle. */
  main: string;
  /** Files embedded as SEA assets (sea.getAsset), by name. */
  assets: Record<string, string>;
  /** The Node runtime to copy (must be an ELF/Mach-O/PE binary, not a wrapper script). */
  runtime: string;
  output: string;
  /** Folder for the blob and its config. */
  workDir: string;
  /**
   * V8 code cache: compiled once here, start-up skips parsing. It is specific to the V8
   * build and CPU architecture, so a cross build (e.g. arm64 from amd64) must go without.
   */
  useCodeCache: boolean;
  /** The target OS: Linux binaries are stripped, macOS ones re-signed. */
  os: 'linux' | 'darwin' | 'windows';
}

export async function makeSea(input: SeaInput): Promise<void> {
  assertRealBinary(input.runtime);
  const blob = join(input.workDir, 'sea-prep.blob');
  const config = join(input.workDir, 'sea-config.json');
  writeFileSync(
    config,
    JSON.stringify(
      { main: input.main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: input.useCodeCache, useSnapshot: false, execArgv: EXEC_ARGV, assets: input.assets },
      null,
      2,
    ),
  );
  // The blob is made by the Node that runs this build (the pinned v24): it must match the runtime's version.
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  copyFileSync(input.runtime, input.output);
  chmodSync(input.output, 0o755);
  // The official Linux binaries carry symbols (~18 MB); .dynsym stays for addons.
  if (input.os === 'linux') stripBinary(input.output);
  // macOS refuses to run a binary whose signature no longer matches: drop it, inject
  // into the segment Node looks in there, sign again (ad hoc; a release may sign with an identity).
  if (input.os === 'darwin') execFileSync('codesign', ['--remove-signature', input.output]);
  await postject.inject(input.output, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: SEA_FUSE,
    ...(input.os === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
  });
  if (input.os === 'darwin') execFileSync('codesign', ['--sign', process.env.CODESIGN_IDENTITY ?? '-', '--force', input.output]);
}

function stripBinary(file: string): void {
  // GNU strip knows only the host's architecture unless built for more; a cross strip or
  // llvm-strip handles a foreign one. Without any, the symbols stay (a bigger file, no harm).
  for (const tool of ['strip', 'aarch64-linux-gnu-strip', 'llvm-strip']) {
    try {
      execFileSync(tool, ['--strip-all', file], { stdio: 'ignore' });
      return;
    } catch {
      // try the next tool
    }
  }
  process.stderr.write(`[build] no strip tool for ${file}; keeping its symbols\n`);
}

function assertRealBinary(file: string): void {
  const header = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  readSync(fd, header, 0, 4, 0);
  closeSync(fd);
  const magic = header.toString('hex');
  // ELF, Mach-O 64-bit, PE ("MZ").
  if (!['7f454c46', 'cffaedfe'].includes(magic) && !magic.startsWith('4d5a')) throw new Error(`${file} is not a Node binary (a wrapper script?): magic ${magic}`);
}
