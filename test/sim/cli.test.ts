// npm run sim:* as a person runs them (same state directory and ports as this test run).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, inject, test } from 'vitest';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, [path.join(import.meta.dirname, 'cli.ts'), ...args]).then(
  ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
  (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
);
const apiServerPid = () => readFileSync(path.join(inject('sim').stateDir, 'pids/kube-apiserver.pid'), 'utf8');

test('sim:up while the simulator runs changes nothing and prints how to use it', async () => {
  const before = apiServerPid();
  const { code, stdout } = await cli('up');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^ {2}export KUBECONFIG=\$PWD\/.*kubeconfig$/m);
  expect(stdout).toMatch(/kubectl get nodes -L topology.kubernetes.io\/zone,k8s.scaleway.com\/pool-name/);
  expect(apiServerPid()).toBe(before);
});

test('an unknown operation exits 1 with a one-line usage', async () => {
  const { code, stdout, stderr } = await cli('sideways');
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toMatch(/^sim: usage: node test\/sim\/cli.ts up .* \| down \| reset \| upgrade \| scale .*\n$/);
});
