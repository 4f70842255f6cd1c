// The built kubectl (v1.35.4) against the simulator.
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export function runKubectl(binDir: string, kubeconfig: string, args: string[], options: { context?: string; input?: string } = {}): Promise<KubectlResult> {
  const fullArgs = [`--kubeconfig=${kubeconfig}`, ...(options.context ? [`--context=${options.context}`] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, 'kubectl'), fullArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), code: code ?? 1 }));
    child.stdin.end(options.input ?? '');
  });
}
