// Build targets named as krew and Go name them (os_arch), and how each one is made.

export interface Target {
  os: 'linux' | 'darwin' | 'windows';
  arch: 'amd64' | 'arm64';
}

const OS: Record<string, Target['os']> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
const ARCH: Record<string, Target['arch']> = { x64: 'amd64', arm64: 'arm64' };

export function hostTarget(): Target {
  const os = OS[process.platform];
  const arch = ARCH[process.arch];
  if (!os || !arch) throw new Error(`no build for ${process.platform}/${process.arch}`);
  return { os, arch };
}

export function targetName(target: Target): string {
  return `${target.os}_${target.arch}`;
}

export function binaryName(target: Target): string {
  return target.os === 'windows' ? 'kubectl-kapsule_ha.exe' : 'kubectl-kapsule_ha';
}

/** The npm package holding the official Node binary of a target (for cross builds). */
export function runtimePackage(target: Target): string {
  const os = target.os === 'windows' ? 'win' : target.os;
  const arch = target.arch === 'amd64' ? 'x64' : 'arm64';
  return `node-${os}-${arch}`;
}
