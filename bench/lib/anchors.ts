// The kubectl binaries the plugin is measured against: kubectl built alone, of the
// simulator's version, as release builds are (bench/build-kubectl.sh; the anchor of every
// ratio), and the machine's own kubectl when one is on the PATH (shown beside it, named as
// what it is). The simulator's multi-call `kube` binary is no anchor: it links the API
// server, controller-manager and scheduler too, and starts far slower than kubectl alone.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface Kubectl {
  path: string;
  /** First line of `kubectl version --client`, e.g. "v1.35.4". */
  version: string;
  /** How RESULTS.md names it. */
  label: string;
  /** What it is and where it comes from, for the header. */
  description: string;
}

export interface Anchors {
  /** kubectl built alone (bench/build-kubectl.sh): every ratio is to this one. */
  standalone: Kubectl;
  /** `kubectl` found on the PATH, if any (and not the same file). */
  machine: Kubectl | undefined;
  /** Seconds bench/build-kubectl.sh took (a few when cached). */
  buildSeconds: number;
}

const versionOf = (file: string): string =>
  execFileSync(file, ['version', '--client'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } }).split('\n')[0]!.replace('Client Version: ', '').trim();

export function findAnchors(repo: string, log: (line: string) => void): Anchors {
  const started = Date.now();
  const built = execFileSync('bash', [path.join(repo, 'bench', 'build-kubectl.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1)!;
  const buildSeconds = (Date.now() - started) / 1000;
  const version = versionOf(built);
  log(`anchor: ${built} (${version}, ready in ${buildSeconds.toFixed(1)} s)`);
  const standalone: Kubectl = {
    path: built,
    version,
    label: `kubectl ${version}`,
    description: `${version} built alone as release builds are (\`bench/build-kubectl.sh\`: \`k8s.io/kubernetes/cmd/kubectl\`, CGO_ENABLED=0, -trimpath, \`-ldflags "-s -w"\`), \`.cache/bench/bin/kubectl\``,
  };
  const onPath = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'kubectl')).find((file) => existsSync(file));
  let machine: Kubectl | undefined;
  if (onPath && realpathSync(onPath) !== realpathSync(built)) {
    try {
      const machineVersion = versionOf(onPath);
      const target = realpathSync(onPath);
      machine = {
        path: onPath,
        version: machineVersion,
        label: `the machine's kubectl ${machineVersion}`,
        description: `${machineVersion}, \`${onPath}\`${target !== onPath ? ` → \`${target}\`` : ''} (the machine's own, not built here)`,
      };
    } catch (error) {
      log(`the machine's kubectl (${onPath}) does not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}; left out`);
    }
  }
  return { standalone, machine, buildSeconds };
}
