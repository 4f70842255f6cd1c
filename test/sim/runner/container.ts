// One container of a runner pod: its process, restarted with the kubelet's back-off
// (at once, then 10 s doubling to 5 min) under restartPolicy Always/OnFailure, its
// readiness probe deciding `ready`, its liveness probe killing it after failureThreshold.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeOnce, timings, type ProbeSpec } from './probes.ts';
import type { ContainerView, Terminated } from './status.ts';

export interface ContainerHooks {
  /** Starts the process (after preparing its command and environment). */
  launch: () => Promise<ChildProcess>;
  /** The pod's own address, where probes go. */
  address: string;
  /** A TCP connection from the node's network (the cluster namespace), where a kubelet probes from. */
  connect: (host: string, port: number) => Promise<Socket>;
  restartPolicy: string;
  terminationGraceMs: number;
  changed: () => void;
  log: (line: string) => void;
}

const backoffBaseMs = 10_000;
const backoffMaxMs = 300_000;

export class Container {
  readonly view: ContainerView;
  private process: ChildProcess | undefined;
  private stopping = false;
  private nextBackoffMs = 0;
  private runs = 0;
  /** Pending work, by kind: a stop cancels all but the readiness probe (a kubelet keeps probing a stopping container until it fails). */
  private readonly timers = new Map<NodeJS.Timeout, 'readiness' | 'other'>();
  private readonly spec: any;
  private readonly hooks: ContainerHooks;

  constructor(spec: any, hooks: ContainerHooks) {
    this.spec = spec;
    this.hooks = hooks;
    this.view = { name: spec.name, image: spec.image, state: { waiting: { reason: 'ContainerCreating' } }, restartCount: 0, ready: false, started: false };
  }

  /** Waits for the state to be shown as, e.g., CreateContainerConfigError. */
  fail(reason: string, message: string): void {
    this.view.state = { waiting: { reason, message } };
    this.hooks.changed();
  }

  async start(): Promise<void> {
    if (this.stopping) return;
    let child: ChildProcess;
    try {
      child = await this.hooks.launch();
    } catch (error) {
      this.fail('CreateContainerConfigError', (error as Error).message);
      this.later(() => void this.start(), 2000);
      return;
    }
    const run = ++this.runs;
    const startedAt = new Date().toISOString();
    this.process = child;
    this.view.containerID = `sim-runner://${child.pid}`;
    this.view.state = { running: { startedAt } };
    this.view.started = true;
    this.hooks.changed();
    child.once('exit', (code, signal) => this.exited(run, startedAt, code, signal));
    this.probeReadiness(run);
    this.probeLiveness(run);
  }

  /** SIGTERM, then SIGKILL after the grace period; no restart afterwards. */
  async stop(graceMs = this.hooks.terminationGraceMs): Promise<void> {
    this.stopping = true;
    for (const [timer, kind] of this.timers) {
      if (kind === 'readiness') continue;
      clearTimeout(timer);
      this.timers.delete(timer);
    }
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const killed = sleep(graceMs).then(() => child.kill('SIGKILL'));
    await Promise.race([exited, killed]);
    await exited;
  }

  private exited(run: number, startedAt: string, code: number | null, signal: NodeJS.Signals | null): void {
    if (run !== this.runs) return;
    this.process = undefined;
    const exitCode = code ?? 128 + signalNumber(signal);
    const terminated: Terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: new Date().toISOString(), containerID: this.view.containerID };
    this.hooks.log(`container ${this.view.name} exited with ${code ?? signal}`);
    this.view.ready = false;
    this.view.started = false;
    const restart = !this.stopping && (this.hooks.restartPolicy === 'Always' || (this.hooks.restartPolicy === 'OnFailure' && exitCode !== 0));
    if (!restart) {
      this.view.state = { terminated };
      this.hooks.changed();
      return;
    }
    // A container that ran 10 minutes without trouble starts its back-off afresh.
    if (Date.now() - Date.parse(startedAt) > 600_000) this.nextBackoffMs = 0;
    this.view.lastState = { terminated };
    this.view.restartCount++;
    const delay = this.nextBackoffMs;
    this.nextBackoffMs = Math.min(backoffMaxMs, Math.max(backoffBaseMs, this.nextBackoffMs * 2));
    this.view.state = delay > 0 ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${formatSeconds(delay)} restarting failed container=${this.view.name}` } } : { terminated };
    this.hooks.changed();
    this.later(() => void this.start(), delay);
  }

  private probeReadiness(run: number): void {
    const probe = this.spec.readinessProbe as ProbeSpec | undefined;
    if (!probe) {
      this.view.ready = true;
      this.hooks.changed();
      return;
    }
    const t = timings(probe);
    let successes = 0;
    let failures = 0;
    const tick = async () => {
      if (run !== this.runs || !this.process) return;
      const ok = await probeOnce(probe, this.hooks.address, this.spec, this.hooks.connect).catch(() => false);
      if (run !== this.runs) return;
      [successes, failures] = ok ? [successes + 1, 0] : [0, failures + 1];
      const ready = this.view.ready ? failures < t.failureThreshold : successes >= t.successThreshold;
      if (ready !== this.view.ready) {
        this.view.ready = ready;
        this.hooks.changed();
      }
      // While the container stops (the pod being deleted), as a kubelet since Kubernetes 1.25:
      // probed until it fails, so its endpoint stops serving before the process exits.
      if (this.stopping && !ready) return;
      this.later(tick, t.periodMs, 'readiness');
    };
    // A kubelet triggers the first probe as soon as it sees the container running (its
    // PLEG relists every second); a failure waits for the next tick of the period.
    this.later(tick, Math.max(t.initialDelayMs, 1000), 'readiness');
  }

  private probeLiveness(run: number): void {
    const probe = this.spec.livenessProbe as ProbeSpec | undefined;
    if (!probe) return;
    const t = timings(probe);
    let failures = 0;
    const tick = async () => {
      if (run !== this.runs || !this.process) return;
      const ok = await probeOnce(probe, this.hooks.address, this.spec, this.hooks.connect).catch(() => false);
      if (run !== this.runs) return;
      failures = ok ? 0 : failures + 1;
      if (failures >= t.failureThreshold) {
        this.hooks.log(`container ${this.view.name} failed its liveness probe ${failures} times: killing it`);
        const child = this.process;
        child?.kill('SIGTERM');
        this.later(() => void child?.kill('SIGKILL'), this.hooks.terminationGraceMs);
        return;
      }
      this.later(tick, t.periodMs);
    };
    this.later(tick, t.initialDelayMs + t.periodMs);
  }

  private later(work: () => void | Promise<void>, ms: number, kind: 'readiness' | 'other' = 'other'): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void work();
    }, ms);
    this.timers.set(timer, kind);
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 0;
}

function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m${seconds % 60}s` : `${seconds}s`;
}
