// One private mount namespace per process (`unshare --mount --propagation private`):
// the pod's volumes are bind-mounted at their mount paths and its resolv.conf over
// /etc/resolv.conf, inside that namespace only. A mount path whose folder does not
// exist on the machine (e.g. /etc/coredns) gets it from an overlay whose writable layer
// is a tmpfs of the namespace: nothing is ever written to the machine's /etc or /run.
// A program that listens on a fixed wildcard port (the autoscaler's health server, on
// :8080 whatever its flags) gets a network namespace of its own as well, holding only
// loopback and a forwarder to the API server (api-forwarder.ts).
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

const forwarder = path.join(import.meta.dirname, 'api-forwarder.ts');

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** A network namespace of its own, where only the API server is reachable (through the runner's unix socket). */
export interface IsolatedNetwork {
  apiSocket: string;
  apiHost: string;
  apiPort: number;
}

export interface SandboxCommand {
  file: string;
  args: string[];
}

/** `unshare … sh -c <script>`: mounts, then execs the program (so the spawned pid is the program's). */
export function sandboxed(program: { file: string; args: string[] }, mounts: Mount[], scratchDir: string, network?: IsolatedNetwork): SandboxCommand {
  const lines = ['set -e', `mount -t tmpfs -o mode=0700 sim-runner "${scratchDir}"`];
  if (network) {
    const ready = `${scratchDir}/api-forwarder-ready`;
    lines.push(
      'ip link set lo up',
      `"${process.execPath}" "${forwarder}" "${network.apiSocket}" ${network.apiHost} ${network.apiPort} "${ready}" &`,
      `while [ ! -e "${ready}" ]; do sleep 0.05; done`,
    );
  }
  for (const [index, dir] of overlayRoots(mounts.map((m) => m.target)).entries()) {
    const upper = `${scratchDir}/overlay${index}`;
    lines.push(`mkdir -p "${upper}/upper" "${upper}/work"`, `mount -t overlay sim-runner -o "lowerdir=${dir},upperdir=${upper}/upper,workdir=${upper}/work" "${dir}"`);
  }
  for (const mount of mounts) {
    lines.push(`[ -e "${mount.target}" ] || { if [ -d "${mount.source}" ]; then mkdir -p "${mount.target}"; else mkdir -p "$(dirname "${mount.target}")"; : > "${mount.target}"; fi; }`);
    lines.push(`mount --bind "${mount.source}" "${mount.target}"`);
    if (mount.readOnly) lines.push(`mount -o remount,bind,ro "${mount.target}"`);
  }
  lines.push('exec "$0" "$@"');
  for (const value of [...mounts.flatMap((m) => [m.source, m.target]), scratchDir]) {
    if (/["$`\\]/.test(value)) throw new Error(`path ${value} has characters the runner does not quote`);
  }
  const namespaces = network ? ['--net', '--mount'] : ['--mount'];
  return { file: 'unshare', args: [...namespaces, '--propagation', 'private', '/bin/sh', '-c', lines.join('\n'), program.file, ...program.args] };
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
