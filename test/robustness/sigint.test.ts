// Ctrl-C end to end, through the executable: SIGINT while `enable` waits for a copy that
// cannot become Ready stops with exit 130 and one error line, writes nothing more, and
// leaves the original serving; a plain re-run converges. A second Ctrl-C while the first
// one winds down (here: the kubeconfig's credential plugin has not answered yet) quits at once.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOffset, kubeSystem, plugin, sim, watchEndpoints } from '../lib/plugin.ts';
import { kubeconfigVariant, readyPods, scratch, sleep, spawnPlugin, writesSince } from '../lib/robustness.ts';

const cordonAll = (verb: 'cordon' | 'uncordon') => sim.kubectl([verb, '-l', 'kubernetes.io/os=linux']);
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => /^(error: |Error from server)/.test(line));

describe('Ctrl-C (SIGINT) to the executable', () => {
  beforeAll(async () => {
    await sim.reset();
  });
  afterAll(async () => {
    await cordonAll('uncordon');
    await sim.reset();
  });

  it('while enable waits for the copy: exit 130, one error line, no write after it, the original serving; a re-run converges', async () => {
    // Every node cordoned: coredns-ha's pods stay Pending, so the wait cannot end by itself.
    expect((await cordonAll('cordon')).code).toBe(0);
    const watch = await watchEndpoints();
    try {
      const running = spawnPlugin(['enable', 'coredns', '--yes']);
      await running.stderrMatches(/^waiting for deployment\/coredns-ha /m);
      const offset = auditOffset();
      running.child.kill('SIGINT');
      const result = await running.done;

      expect(result.code, result.stderr).toBe(130);
      expect(result.signal).toBeNull();
      expect(errorLines(result.stderr), result.stderr).toHaveLength(1);
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^error: interrupted: stopped before waiting for deployment\/coredns-ha .*Re-run to continue\.$/);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(await writesSince(offset)).toEqual([]);

      // The original still serves: scaled as it was, Ready, and behind kube-dns.
      const coredns = await kubeSystem('deployment', 'coredns');
      expect(coredns.spec.replicas).toBe(1);
      expect(coredns.status.readyReplicas).toBe(1);
      expect(await readyPods('k8s-app=kube-dns')).toHaveLength(1);
    } finally {
      expect((await cordonAll('uncordon')).code).toBe(0);
    }

    const rerun = await plugin(['enable', 'coredns', '--yes']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await kubeSystem('deployment', 'coredns')).spec.replicas).toBe(0);
    expect((await readyPods('kapsule-ha/instance=coredns-ha')).length).toBeGreaterThanOrEqual(3);
    const { minReady, events } = await watch.stop();
    console.log(`[robustness] SIGINT during the copy's wait: exit 130; fewest ready DNS endpoints ${minReady} over ${events} changes`);
    expect(events).toBeGreaterThan(0);
    expect(minReady).toBeGreaterThanOrEqual(1);
  });

  it('a second Ctrl-C during the wind-down quits at once with exit 130', async () => {
    // A credential plugin that answers only when the test says so (it never will here):
    // after the first Ctrl-C the plugin waits for it, the way it would for a slow SSO login.
    const dir = path.join(scratch, 'slow-credential');
    const script = path.join(dir, 'credential.sh');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      script,
      `#!/bin/sh\ntouch "${dir}/started"\nwhile [ ! -e "${dir}/release" ]; do sleep 0.1; done\n` +
        `printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "${sim.info().adminToken}"\n`,
    );
    chmodSync(script, 0o755);
    const kubeconfig = kubeconfigVariant('slow-credential', (config) => {
      for (const user of config.users) user.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: script, interactiveMode: 'Never' } };
    });
    const offset = auditOffset();
    const running = spawnPlugin(['enable', 'coredns', '--yes'], kubeconfig);
    try {
      while (!existsSync(path.join(dir, 'started'))) await sleep(50);
      running.child.kill('SIGINT');
      await running.stderrMatches(/stopping at the next safe point/);
      // Still running: it waits for the credential plugin before it can stop.
      expect(running.child.exitCode).toBeNull();
      running.child.kill('SIGINT');
      const result = await running.done;
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr.trim().split('\n').at(-1)).toBe('interrupted');
      // It quit while the credential plugin was still waiting, having written nothing.
      expect(existsSync(path.join(dir, 'release'))).toBe(false);
      expect(await writesSince(offset)).toEqual([]);
    } finally {
      writeFileSync(path.join(dir, 'release'), '');
    }
  });
});
