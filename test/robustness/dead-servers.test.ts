// Dead servers named fast, through the executable and with no --request-timeout: a
// server that agrees on h2 by ALPN and never sends its HTTP/2 preface, one that answered
// and then went silent (the fault proxy in front of the simulator), and a silent HTTP/1.1
// server each end in one line naming the server and what it did not do, exit 3, well
// within 60 s. Ctrl-C while dialling through a dead proxy (HTTP CONNECT, SOCKS5) exits
// 130 at once, and a fleet run reports such clusters at its --context-timeout and moves on.
// The dead servers and proxies are test servers on loopback; the live cluster is the simulator.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sim } from '../lib/plugin.ts';
import { expectOneLineFailure, kubeconfigVariant, simPki, spawnPlugin, startProxy } from '../lib/robustness.ts';

/** The behaviour promised (README.md): a dead server is named within a minute. */
const PROMISED_SECONDS = 60;

/** A loopback server whose connections are tracked, so that the test can end them. */
async function deadServer(server: Server): Promise<{ port: number; connections: number; close(): void }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('dead servers named fast (no --request-timeout)', () => {
  const figures: string[] = [];
  let pki: { cert: Buffer; key: Buffer };
  beforeAll(async () => {
    await sim.reset();
    const files = simPki();
    pki = { cert: readFileSync(files.serverCert), key: readFileSync(files.serverKey) };
  });
  afterAll(() => console.log(`[robustness] dead servers: ${figures.join('; ')}`));

  /** `status all` against `server` (the simulator's CA and admin token): its result and seconds. */
  const statusAgainst = async (name: string, server: string) => {
    const kubeconfig = kubeconfigVariant(name, (config) => {
      for (const cluster of config.clusters) cluster.cluster.server = server;
    });
    const started = Date.now();
    const result = await spawnPlugin(['status', 'all'], kubeconfig).done;
    const seconds = (Date.now() - started) / 1000;
    figures.push(`${name} ${seconds.toFixed(1)}s: ${result.stderr.trim()}`);
    return { result, seconds };
  };

  it('TLS with h2 agreed by ALPN, then no HTTP/2 SETTINGS frame: one line naming what it did not do, exit 3, one fresh connection', async () => {
    const dead = await deadServer(tls.createServer({ ...pki, ALPNProtocols: ['h2'] }, () => undefined));
    try {
      const url = `https://127.0.0.1:${dead.port}`;
      const { result, seconds } = await statusAgainst('no-preface', url);
      expectOneLineFailure(result, 3, new RegExp(`^error: the Kubernetes API server at ${escapeRegExp(url)} accepted TLS but sent no HTTP/2 SETTINGS frame within 10s$`));
      expect(seconds).toBeLessThan(PROMISED_SECONDS);
      expect(dead.connections).toBe(2); // the first, then one fresh connection, no more
    } finally {
      dead.close();
    }
  });

  it('a server that answered and then went silent (TCP open, PINGs unanswered, new connections never answered): one line, exit 3', async () => {
    const proxy = await startProxy({ seed: 4, silentFrom: 2 });
    try {
      const started = Date.now();
      const result = await spawnPlugin(['status', 'all'], proxy.kubeconfig).done;
      const seconds = (Date.now() - started) / 1000;
      figures.push(`silent after answering ${seconds.toFixed(1)}s: ${result.stderr.trim()}`);
      expectOneLineFailure(result, 3, new RegExp(`^error: the Kubernetes API server at ${escapeRegExp(proxy.url)} (stopped answering: no answer to an HTTP/2 PING within 15s|did not complete the TLS handshake within 10s)$`));
      expect(seconds).toBeLessThan(PROMISED_SECONDS);
    } finally {
      await proxy.stop();
    }
  });

  it('an HTTP/1.1 server (no h2 offered) that reads requests and never answers: one line, exit 3', async () => {
    const dead = await deadServer(https.createServer(pki, () => undefined));
    try {
      const url = `https://127.0.0.1:${dead.port}`;
      const { result, seconds } = await statusAgainst('silent-http1', url);
      expectOneLineFailure(result, 3, new RegExp(`^error: the Kubernetes API server at ${escapeRegExp(url)} sent no byte of an answer within 20s \\(HTTP/1\\.1\\)$`));
      expect(seconds).toBeLessThan(PROMISED_SECONDS);
    } finally {
      dead.close();
    }
  });

  it.each(['http', 'socks5'])('Ctrl-C while dialling through a dead %s proxy: exit 130 within 2 s', async (scheme) => {
    const proxy = await deadServer(net.createServer(() => undefined)); // accepts, never answers
    try {
      const kubeconfig = kubeconfigVariant(`dead-${scheme}-proxy`, (config) => {
        for (const cluster of config.clusters) cluster.cluster['proxy-url'] = `${scheme}://127.0.0.1:${proxy.port}`;
      });
      const running = spawnPlugin(['status', 'all'], kubeconfig);
      while (proxy.connections === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const interrupted = Date.now();
      running.child.kill('SIGINT');
      const result = await running.done;
      const seconds = (Date.now() - interrupted) / 1000;
      figures.push(`Ctrl-C dialling a dead ${scheme} proxy: exit ${result.code} ${seconds.toFixed(2)}s later`);
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^error: interrupted/);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(seconds).toBeLessThan(2);
    } finally {
      proxy.close();
    }
  });

  it('a fleet run reports a cluster without HTTP/2 preface and one behind a dead proxy at its --context-timeout, the live one in full, and exits', async () => {
    const noPreface = await deadServer(tls.createServer({ ...pki, ALPNProtocols: ['h2'] }, () => undefined));
    const proxy = await deadServer(net.createServer(() => undefined));
    try {
      const kubeconfig = kubeconfigVariant('fleet-dead', (config) => {
        const [live] = config.clusters;
        const admin = config.contexts.find((context: any) => context.name === 'admin');
        config.clusters.push(
          { name: 'no-preface', cluster: { ...live.cluster, server: `https://127.0.0.1:${noPreface.port}` } },
          { name: 'dead-proxy', cluster: { ...live.cluster, 'proxy-url': `http://127.0.0.1:${proxy.port}` } },
        );
        config.contexts = [admin, ...['no-preface', 'dead-proxy'].map((name) => ({ name, context: { ...admin.context, cluster: name } }))];
      });
      const started = Date.now();
      const result = await spawnPlugin(['check-drift', '--all-contexts', '--context-timeout', '5s'], kubeconfig).done;
      const seconds = (Date.now() - started) / 1000;
      figures.push(`fleet with two dead clusters (--context-timeout 5s) exited after ${seconds.toFixed(1)}s`);
      expect(result.code, result.stderr).toBe(3);
      const table = result.stdout.slice(result.stdout.indexOf('CONTEXT ')).split('\n');
      expect(table[1]).toMatch(/^admin\s+https:\/\/127\.0\.0\.1:\d+\s+original/);
      expect(table[2]).toMatch(/^no-preface\s+\S+\s+error: no result within 5s \(--context-timeout\)$/);
      expect(table[3]).toMatch(/^dead-proxy\s+\S+\s+error: no result within 5s \(--context-timeout\)$/);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('3 contexts: 1 in sync, 2 could not be checked (no-preface, dead-proxy)');
      // Reported at the limit and gone: nothing left dialling (a dead proxy's tunnel would hold it 30 s).
      expect(seconds).toBeLessThan(5 + 5);
      expect([noPreface.connections, proxy.connections]).toEqual([1, 1]);
    } finally {
      noPreface.close();
      proxy.close();
    }
  });
});
