// Runs the plugin on a real pseudo-terminal (python3's pty module: no native npm module
// needed), answering `reply` once `prompt` appears. For credential plugins that ask.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { RunResult } from './plugin.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const node = path.join(repo, 'node_modules/.bin/node');

const DRIVER = `
import json, os, pty, select, sys
spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execve(spec["argv"][0], spec["argv"], spec["env"])
seen, answered = b"", False
while True:
    try:
        ready, _, _ = select.select([fd], [], [], 120)
        chunk = os.read(fd, 4096) if ready else b""
    except OSError:
        chunk = b""
    if not chunk:
        break
    seen += chunk
    if spec["prompt"] and not answered and spec["prompt"].encode() in seen:
        os.write(fd, (spec["reply"] + "\\n").encode())
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
`;

/** The plugin's output on the terminal (stdout and stderr together, as a person sees it). */
export function pluginOnTerminal(args: string[], options: { env: Record<string, string>; prompt?: string; reply?: string }): Promise<RunResult> {
  const spec = {
    argv: [node, path.join(repo, 'src/main.ts'), ...args],
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    prompt: options.prompt ?? '',
    reply: options.reply ?? '',
  };
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', DRIVER, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: stdout.replace(/\r\n/g, '\n'), stderr }));
  });
}
