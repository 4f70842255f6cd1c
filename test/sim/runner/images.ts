// The images the runner runs for real, and the binary (built by test/sim/build.sh)
// that stands for each. kwok's stages (test/sim/kwok/stages.yaml) leave pods with
// these images alone: keep both lists in step.
import path from 'node:path';
import { IMAGE_REPOSITORY } from '../../../src/version.ts';

export interface RunnableImage {
  /** Image reference up to the tag: `<prefix>:<any tag>` runs this binary. */
  prefix: string;
  /** The program in .cache/sim/bin (built by test/sim/build.sh). */
  binary: string;
  /** The image's ENTRYPOINT: a command naming it runs the binary instead. */
  entrypoint: string;
  /**
   * Flags the simulator adds after the container's own, never written into a Deployment
   * (test/sim/README.md lists them): what the simulated cluster needs of the program.
   */
  simulatorArgs?: string[];
  /** A program built elsewhere than .cache/sim/bin (absolute path), read at each start. */
  file?: string;
}

// The one table to extend for another image (test/sim/README.md, "Adding an image"):
// one binary per program whatever the tag (coredns is built at the seeded tag, v1.12.1,
// and also stands for the upgraded v1.12.4). kwok's stages skip these prefixes.
export const runnableImages: RunnableImage[] = [
  { prefix: 'registry.k8s.io/coredns/coredns', binary: 'coredns', entrypoint: '/coredns' },
  { prefix: 'registry.k8s.io/cpa/cluster-proportional-autoscaler', binary: 'cluster-proportional-autoscaler', entrypoint: '/cluster-proportional-autoscaler' },
  // metrics-server v0.8.0 stands for every tag (the seeded v0.7.2 too). The simulated kubelets
  // (kwok's server) present the API server's certificate, not one per node IP: as on kind.
  { prefix: 'registry.k8s.io/metrics-server/metrics-server', binary: 'metrics-server', entrypoint: '/metrics-server', simulatorArgs: ['--kubelet-insecure-tls'] },
  // The plugin's own image (the guard's CronJob): the executable `npm run build` made, as the
  // image holds it (Dockerfile), whatever the tag.
  { prefix: IMAGE_REPOSITORY, binary: 'kubectl-kapsule_ha', entrypoint: '/usr/local/bin/kubectl-kapsule_ha', file: path.resolve(import.meta.dirname, '../../../dist/kubectl-kapsule_ha') },
];

export function runnableImage(image: string): RunnableImage | undefined {
  return runnableImages.find((candidate) => image.startsWith(`${candidate.prefix}:`) || image.startsWith(`${candidate.prefix}@`));
}

/** A pod the runner plays the kubelet for: bound to a node, with a container of a runnable image. */
export function isRunnerPod(pod: any): boolean {
  return Boolean(pod.spec?.nodeName) && (pod.spec.containers ?? []).some((c: any) => runnableImage(c.image));
}

/** The program and arguments a container runs: command replaces the entrypoint, args follow it. */
export function commandLine(container: any, binDir: string, expand: (s: string) => string): { file: string; args: string[] } {
  const image = runnableImage(container.image);
  if (!image) throw new Error(`image ${container.image} is not one the simulator runs`);
  const command: string[] = (container.command ?? [image.entrypoint]).map(expand);
  const args: string[] = (container.args ?? []).map(expand);
  const [first, ...rest] = command;
  // The image holds one program: whatever path the command names, that is what runs.
  if (first !== image.entrypoint && path.basename(first ?? '') !== image.binary) throw new Error(`command ${first} is not in image ${container.image} (only ${image.entrypoint} is)`);
  return { file: image.file ?? path.join(binDir, image.binary), args: [...rest, ...args, ...(image.simulatorArgs ?? [])] };
}
