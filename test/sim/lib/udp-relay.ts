// UDP from inside one of the simulator's network namespaces (the cluster's, or a client
// sandbox's): a small child process (udp-relay-child.ts) entered there with nsenter.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const child = path.join(import.meta.dirname, 'udp-relay-child.ts');

export interface UdpRelay {
  /** Sends one datagram from a fresh socket; its answer (if any) comes to onAnswer with this id. */
  send(id: number, host: string, port: number, packet: Buffer): void;
  /** `localPort`: the source port the query went from (what conntrack shows). */
  onAnswer(listener: (id: number, from: string, packet: Buffer, localPort: number) => void): void;
  /** The source port each query went from, once the kernel has it (to explain a query never answered). */
  onSent(listener: (id: number, localPort: number) => void): void;
  close(): Promise<void>;
}

export async function openUdpRelay(netns: string): Promise<UdpRelay> {
  const process_: ChildProcess = spawn('nsenter', [`--net=${netns}`, process.execPath, child], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    process_.once('spawn', resolve);
    process_.once('error', reject);
  });
  const listeners: ((id: number, from: string, packet: Buffer, localPort: number) => void)[] = [];
  const sentListeners: ((id: number, localPort: number) => void)[] = [];
  readline.createInterface({ input: process_.stdout! }).on('line', (line) => {
    const [first, second, third, data] = line.split(' ') as [string, string, string, string];
    if (first === 'sent') for (const listener of sentListeners) listener(Number(second), Number(third));
    else for (const listener of listeners) listener(Number(first), second, Buffer.from(data, 'base64'), Number(third));
  });
  const exited = new Promise<void>((resolve) => process_.once('exit', () => resolve()));
  return {
    send: (id, host, port, packet) => void process_.stdin!.write(`${id} ${host} ${port} ${packet.toString('base64')}\n`),
    onAnswer: (listener) => void listeners.push(listener),
    onSent: (listener) => void sentListeners.push(listener),
    async close() {
      process_.stdin!.end();
      await exited;
    },
  };
}
