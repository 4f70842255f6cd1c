// One private mount namespace per process (`unshare --mount --propagation private`),
// inside the pod's network namespace (`nsenter --net`, see lib/pod-network.ts): the pod's
// volumes are bind-mounted at their mount paths and its resolv.conf over /etc/resolv.conf,
// inside that namespace only. As a container runtime does, outer mounts come first and
// the read-only remounts last, so a volume mounted inside another's path (coredns-custom
// at /etc/coredns/custom inside /etc/coredns) gets its mount point made in the outer
// volume. A mount path whose folder does not exist on the machine (e.g. /etc/coredns)
// gets it from an overlay whose writable layer is a tmpfs of the namespace: nothing is
// ever written to the machine's /etc or /run.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface SandboxCommand {
  file: string;
  args: string[];
}

/** `nsenter --net=<pod> unshare … sh -c <script>`: mounts, then execs the program (so the spawned pid is the program's). */
export function sandboxed(program: { file: string; args: string[] }, mounts: Mount[], scratchDir: string, netns: string): SandboxCommand {
  const lines = ['set -e', `mount -t tmpfs -o mode=0700 sim-runner "${scratchDir}"`];
  for (const [index, dir] of overlayRoots(mounts.map((m) => m.target)).entries()) {
    const upper = `${scratchDir}/overlay${index}`;
    lines.push(`mkdir -p "${upper}/upper" "${upper}/work"`, `mount -t overlay sim-runner -o "lowerdir=${dir},upperdir=${upper}/upper,workdir=${upper}/work" "${dir}"`);
  }
  const outerFirst = [...mounts].sort((a, b) => depth(a.target) - depth(b.target));
  for (const mount of outerFirst) {
    lines.push(`[ -e "${mount.target}" ] || { if [ -d "${mount.source}" ]; then mkdir -p "${mount.target}"; else mkdir -p "$(dirname "${mount.target}")"; : > "${mount.target}"; fi; }`);
    lines.push(`mount --bind "${mount.source}" "${mount.target}"`);
  }
  for (const mount of outerFirst) if (mount.readOnly) lines.push(`mount -o remount,bind,ro "${mount.target}"`);
  lines.push('exec "$0" "$@"');
  for (const value of [...mounts.flatMap((m) => [m.source, m.target]), scratchDir, netns]) {
    if (/["$`\\]/.test(value)) throw new Error(`path ${value} has characters the runner does not quote`);
  }
  return { file: 'nsenter', args: [`--net=${netns}`, 'unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c', lines.join('\n'), program.file, ...program.args] };
}

function depth(target: string): number {
  return path.resolve(target).split('/').length;
}

/** The folders that need an overlay: the deepest existing (real) ancestor of each missing mount path, outermost only. */
function overlayRoots(targets: string[]): string[] {
  const roots = new Set<string>();
  for (const target of targets) {
    if (existsSync(target)) continue;
    let dir = path.dirname(target);
    while (!existsSync(dir)) dir = path.dirname(dir);
    const real = realpathSync(dir);
    if (real === '/') throw new Error(`mount path ${target}: the runner makes folders only below an existing one other than /`);
    roots.add(real);
  }
  const sorted = [...roots].sort((a, b) => a.length - b.length);
  return sorted.filter((dir, i) => !sorted.slice(0, i).some((outer) => dir.startsWith(`${outer}/`)));
}
