// What the guard's pod gives the executable, as far as this machine can show it without a
// container engine: a root of its own holding only the executable and the libraries it
// links (as distroless/cc), read-only, no /tmp it may write, no HOME, user 65532, and the
// ServiceAccount volume at its usual path. A private mount namespace (unshare --mount)
// holds it all; nothing is mounted in the machine's own namespace, and nothing stays.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `
set -eu
root=$1 exe=$2 sa=$3; shift 3
mount -t tmpfs -o size=1m,mode=0755 sandbox "$root"
mkdir -p "$root/usr/lib" "$root/usr/lib64" "$root/proc" "$root/dev" "$root/tmp" "$root/etc" "$root/var/run/secrets/kubernetes.io/serviceaccount"
ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
touch "$root/kubectl-kapsule_ha" "$root/dev/null" "$root/dev/urandom"
mount --bind -o ro /usr/lib "$root/usr/lib"
if [ -d /usr/lib64 ]; then mount --bind -o ro /usr/lib64 "$root/usr/lib64"; fi
mount --bind -o ro "$exe" "$root/kubectl-kapsule_ha"
mount --bind /dev/null "$root/dev/null"; mount --bind /dev/urandom "$root/dev/urandom"
mount -t proc proc "$root/proc"
if [ -n "$sa" ]; then mount --bind -o ro "$sa" "$root/var/run/secrets/kubernetes.io/serviceaccount"; fi
mount -o remount,ro,bind "$root"
# The sandbox must really be read-only for that user, or the test proves nothing.
if setpriv --reuid=65532 --regid=65532 --clear-groups touch "$root/tmp/probe" 2>/dev/null; then echo "sandbox: /tmp is writable" >&2; exit 99; fi
exec chroot --userspec=65532:65532 "$root" /kubectl-kapsule_ha "$@"
`;

export interface SandboxRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the executable in the sandbox with only `env` (no HOME, no PATH unless given). */
export async function runSandboxed(executable: string, args: string[], options: { env?: Record<string, string>; serviceAccount?: { token: string; ca: string; namespace: string } } = {}): Promise<SandboxRun> {
  const work = mkdtempSync(join(tmpdir(), 'kapsule-ha-sandbox-'));
  try {
    const root = join(work, 'root');
    const sa = join(work, 'serviceaccount');
    writeFileSync(join(work, 'script.sh'), SCRIPT);
    if (options.serviceAccount) {
      mkdirSync(sa, { mode: 0o755 });
      writeFileSync(join(sa, 'token'), options.serviceAccount.token, { mode: 0o644 });
      writeFileSync(join(sa, 'ca.crt'), options.serviceAccount.ca, { mode: 0o644 });
      writeFileSync(join(sa, 'namespace'), options.serviceAccount.namespace, { mode: 0o644 });
      chmodSync(work, 0o755);
    }
    mkdirSync(root);
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', join(work, 'script.sh'), root, executable, options.serviceAccount ? sa : '', ...args], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode) => resolve(exitCode ?? -1));
    });
    return { code, stdout, stderr };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
