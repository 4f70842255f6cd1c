// One pod the runner plays the kubelet for: its network namespace (the sandbox, holding
// its pod IP) first, then after the start-up delay (the image pull) its volumes and
// resolv.conf are laid out, its containers started in its namespace;
// its status follows them; on deletion its processes are stopped and the deletion finished.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from '../lib/api.ts';
import { Container } from './container.ts';
import { containerEnv, expand, type PodContext } from './env.ts';
import { createSandbox, destroySandbox, type Sandbox } from '../lib/pod-network.ts';
import type { Layout } from '../lib/layout.ts';
import { commandLine, runnableImage } from './images.ts';
import { podPidFile, runnerMarker } from './pod-processes.ts';
import { sandboxed, type Mount } from './sandbox.ts';
import { podStatus } from './status.ts';
import { project, writeAtomically } from './volumes.ts';

export interface RunnerEnv {
  api: Api;
  layout: Layout;
  stateDir: string;
  binDir: string;
  logDir: string;
  /** The `kubernetes` Service, as pods reach the API server. */
  apiServer: { host: string; port: number };
  /** What resolv.conf names for dnsPolicy Default (the node's resolver). */
  upstreamAddress: string;
  /** The kube-dns Service's ClusterIP, for dnsPolicy ClusterFirst. */
  clusterDns: string;
  /** Probes run from the cluster namespace: the kubelet's view. */
  probe: (host: string, port: number) => Promise<import('node:net').Socket>;
  startDelayMs: () => Promise<number>;
  log: (line: string) => void;
}

export class PodWorker {
  pod: any;
  private readonly dir: string;
  private readonly containers: Container[];
  private readonly configMaps = new Set<string>();
  private startTime = new Date().toISOString();
  private hostIP = '';
  private sandboxReady = false;
  private terminating: Promise<void> | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private gone = false;
  private tokenTimer: NodeJS.Timeout | undefined;
  private sandbox: Promise<Sandbox> | undefined;
  readonly podIP: string;
  private readonly env: RunnerEnv;

  constructor(pod: any, podIP: string, env: RunnerEnv) {
    this.pod = pod;
    this.podIP = podIP;
    this.env = env;
    this.dir = path.join(env.stateDir, 'runner', 'pods', pod.metadata.uid);
    const graceMs = (pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    this.containers = pod.spec.containers.map(
      (spec: any) =>
        new Container(spec, {
          launch: () => this.launch(spec),
          address: podIP,
          connect: env.probe,
          restartPolicy: pod.spec.restartPolicy ?? 'Always',
          terminationGraceMs: graceMs,
          changed: () => this.statusChanged(),
          log: (line) => env.log(`${this.key}: ${line}`),
        }),
    );
  }

  get key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  async run(): Promise<void> {
    const { body: node } = await this.env.api.get(`/api/v1/nodes/${this.pod.spec.nodeName}`);
    this.hostIP = node.status?.addresses?.find((a: any) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
    if (this.terminating || this.gone) return;
    this.sandbox = createSandbox(this.env.layout, this.podIP, this.sandboxPidFile(), { [runnerMarker]: this.env.stateDir });
    await this.sandbox;
    this.sandboxReady = true;
    this.statusChanged();
    // The image pull.
    await sleep(await this.env.startDelayMs());
    if (this.terminating || this.gone) return;
    const unsupported = this.pod.spec.containers.find((c: any) => !runnableImage(c.image));
    if (unsupported) {
      this.containers.find((c) => c.view.name === unsupported.name)?.fail('ErrImagePull', `the simulator's runner runs only the images of runner/images.ts, not ${unsupported.image} beside them`);
      return;
    }
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, 'resolv.conf'), this.resolvConf());
    // As a kubelet's FailedMount: the pod stays ContainerCreating until its volumes can be laid out.
    for (;;) {
      try {
        await this.projectVolumes();
        break;
      } catch (error) {
        if (this.terminating || this.gone) return;
        for (const c of this.containers) c.fail('ContainerCreating', `MountVolume.SetUp failed: ${(error as Error).message}`);
        await sleep(2000);
      }
    }
    if (this.terminating || this.gone) return;
    await Promise.all(this.containers.map((c) => c.start()));
  }

  /**
   * The pod as the API has it now. As a kubelet's status manager, put our status back when
   * someone else changed it: the node controller marks every pod of a node it saw NotReady
   * (a late lease) Ready=False, and only the kubelet sets it right again.
   */
  observed(pod: any): void {
    this.pod = pod;
    if (!this.sandboxReady || this.gone || this.terminating !== undefined) return;
    const ready = (status: any) => (status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
    if (ready(pod.status) !== ready(podStatus(pod, this.view()))) this.statusChanged();
  }

  /** A ConfigMap of the pod's namespace changed: lay its volumes out again if they show it. */
  configMapChanged(namespace: string, name: string): void {
    if (namespace === this.pod.metadata.namespace && this.configMaps.has(name) && !this.terminating) void this.projectVolumes().catch((e) => this.env.log(`${this.key}: ${(e as Error).message}`));
  }

  /** deletionTimestamp set: stop the processes within the grace period, then finish the deletion. */
  terminate(): Promise<void> {
    this.terminating ??= (async () => {
      const graceMs = (this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      await Promise.all(this.containers.map((c) => c.stop(graceMs)));
      await this.writing;
      if (!this.gone) {
        const { namespace, name, uid } = this.pod.metadata;
        await this.env.api.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`, { body: { gracePeriodSeconds: 0, preconditions: { uid } }, accept: [404, 409] });
      }
      await this.cleanUp();
    })();
    return this.terminating;
  }

  /** The pod is gone from the API (force-deleted, or the runner stops): stop at once. */
  async kill(graceMs = 2000): Promise<void> {
    this.gone = true;
    await Promise.all(this.containers.map((c) => c.stop(graceMs)));
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    clearTimeout(this.tokenTimer);
    const sandbox = await this.sandbox?.catch(() => undefined);
    if (sandbox) await destroySandbox(this.env.layout, sandbox, this.sandboxPidFile());
    // A pod deleted while run() still lays out its volumes: the writes end within moments
    // (run() stops once it sees the pod gone), and rm is retried on ENOTEMPTY meanwhile.
    await rm(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }

  private sandboxPidFile(): string {
    return podPidFile(this.env.stateDir, this.pod.metadata.uid, 'sandbox');
  }

  /** As the kubelet writes it for the pod's dnsPolicy (dnsConfig is not merged). */
  private resolvConf(): string {
    const policy = this.pod.spec.dnsPolicy ?? 'ClusterFirst';
    if (policy === 'Default' || (policy === 'ClusterFirst' && this.pod.spec.hostNetwork)) return `nameserver ${this.env.upstreamAddress}\n`;
    if (policy === 'None') {
      const config = this.pod.spec.dnsConfig ?? {};
      return [...(config.nameservers ?? []).map((n: string) => `nameserver ${n}`), ...(config.searches?.length ? [`search ${config.searches.join(' ')}`] : []), ''].join('\n');
    }
    const namespace = this.pod.metadata.namespace;
    return `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${this.env.clusterDns}\noptions ndots:5\n`;
  }

  private async projectVolumes(): Promise<void> {
    const context = this.context();
    for (const volume of this.pod.spec.volumes ?? []) {
      const dir = path.join(this.dir, 'volumes', volume.name);
      const projection = await project(volume, context);
      if (!projection) {
        await mkdir(dir, { recursive: true });
        continue;
      }
      for (const name of projection.configMaps) this.configMaps.add(name);
      await writeAtomically(dir, projection.files);
      if (projection.renewInMs !== undefined && !this.gone && !this.terminating) {
        clearTimeout(this.tokenTimer);
        this.tokenTimer = setTimeout(() => void this.projectVolumes().catch(() => undefined), projection.renewInMs);
      }
    }
  }

  private async launch(spec: any) {
    const env = await containerEnv(spec, this.context());
    const program = commandLine(spec, this.env.binDir, (s) => expand(s, env));
    const mounts: Mount[] = (spec.volumeMounts ?? []).map((m: any) => ({
      source: path.join(this.dir, 'volumes', m.name, m.subPath ?? ''),
      target: m.mountPath,
      readOnly: Boolean(m.readOnly),
    }));
    mounts.push({ source: path.join(this.dir, 'resolv.conf'), target: '/etc/resolv.conf', readOnly: true });
    const scratch = path.join(this.dir, `ns-${spec.name}`);
    await mkdir(scratch, { recursive: true });
    const sandbox = await this.sandbox;
    if (!sandbox) throw new Error('the pod has no network namespace');
    const command = sandboxed(program, mounts, scratch, sandbox.netns);
    const logFile = path.join(this.env.logDir, 'pods', `${this.pod.metadata.namespace}_${this.pod.metadata.name}.log`);
    await mkdir(path.dirname(logFile), { recursive: true });
    const out = openSync(logFile, 'a');
    try {
      const child = spawn(command.file, command.args, { env: { ...env, [runnerMarker]: this.env.stateDir }, stdio: ['ignore', out, out], detached: true, cwd: '/' });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      const pidFile = podPidFile(this.env.stateDir, this.pod.metadata.uid, spec.name);
      await mkdir(path.dirname(pidFile), { recursive: true });
      await writeFile(pidFile, `${child.pid}\n`);
      child.once('exit', () => void rm(pidFile, { force: true }));
      return child;
    } finally {
      closeSync(out);
    }
  }

  private context(): PodContext {
    return { pod: this.pod, podIP: this.podIP, hostIP: this.hostIP, api: this.env.api, apiServer: this.env.apiServer };
  }

  /** Coalesces status writes: one in flight, the latest state written after it. */
  private statusChanged(): void {
    this.dirty = true;
    if (this.writing !== undefined) return;
    this.writing = (async () => {
      while (this.dirty && !this.gone) {
        this.dirty = false;
        await this.writeStatus().catch((error) => this.env.log(`${this.key}: status: ${(error as Error).message}`));
      }
      this.writing = undefined;
    })();
  }

  private view() {
    return { podIP: this.podIP, hostIP: this.hostIP, startTime: this.startTime, sandboxReady: this.sandboxReady, containers: this.containers.map((c) => c.view) };
  }

  private async writeStatus(): Promise<void> {
    const view = this.view();
    const { namespace, name, uid } = this.pod.metadata;
    const { status, body } = await this.env.api.request('PATCH', `/api/v1/namespaces/${namespace}/pods/${name}/status`, {
      body: { metadata: { uid }, status: podStatus(this.pod, view) },
      contentType: 'application/merge-patch+json',
      accept: [404, 409],
    });
    if (status === 200) this.pod = body;
  }
}

export async function readStartDelay(stateFile: string, defaultMs: number): Promise<number> {
  try {
    const ms = (JSON.parse(await readFile(stateFile, 'utf8')) as { startDelayMs?: number }).startDelayMs ?? defaultMs;
    return ms * (2 / 3 + (Math.random() * 2) / 3);
  } catch {
    return defaultMs;
  }
}
