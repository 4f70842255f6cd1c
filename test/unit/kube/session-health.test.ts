// HTTP/2 session loss against real node:http2 servers: a session gone silent (TCP open,
// PINGs unanswered, behind a TCP relay that freezes it) is found dead by the PING health
// check even without a request timeout, reads are retried on a new session and writes fail
// in one line; a slow but live server is left alone; GOAWAY and REFUSED_STREAM are sent again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Transport } from '../../../src/kube/transport.ts';
import { RestKubeClient } from '../../../src/kube/client.ts';
import { KubeConnectionError } from '../../../src/kube/errors.ts';
import { startTcpRelay, type TcpRelay } from '../../lib/tcp-relay.ts';

const folder = mkdtempSync(join(tmpdir(), 'kapsule-ha-health-'));
let cert: Buffer;
let server: http2.Http2SecureServer;
let relay: TcpRelay;
let url: string;
let connections = 0;
/** What the server does with the next request of each method. */
const next: Partial<Record<string, 'freeze' | 'refuse' | 'goaway' | 'slow'>> = {};
let refuseNext = 0;
const seen: Array<{ method: string; path: string; connection: number; processed: boolean }> = [];
/** Emits each request's method as the server receives it. */
const arrivals = new EventEmitter();
/** Resolves when the server has received a request of `method`. */
const arrival = (method: string) => once(arrivals, method);

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem')], { stdio: 'ignore' });
  cert = readFileSync(join(folder, 'cert.pem'));
  server = http2.createSecureServer({ key: readFileSync(join(folder, 'key.pem')), cert }, (request, response) => {
    const method = request.method;
    const action = refuseNext > 0 ? 'refuse' : next[method];
    if (refuseNext > 0) refuseNext--;
    delete next[method];
    const connection = (request.stream.session as unknown as { connection: number }).connection;
    const record = { method, path: request.url, connection, processed: action === undefined || action === 'slow' };
    seen.push(record);
    arrivals.emit(method);
    const answer = () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'x' }, connection }));
    if (action === 'freeze') return relay.connectionFrom(request.socket.remotePort)!.freeze();
    if (action === 'refuse') return request.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    if (action === 'goaway') {
      // The last stream the server processed is the one before: this one is refused.
      request.stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, request.stream.id! - 2);
      return request.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    }
    if (action === 'slow') return void setTimeout(answer, 1_500);
    answer();
  });
  server.on('session', (session) => Object.assign(session, { connection: ++connections }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay = await startTcpRelay((server.address() as AddressInfo).port);
  url = `https://127.0.0.1:${relay.port}`;
});

afterAll(async () => {
  await relay.stop();
  await new Promise((resolve) => server.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

const HEALTH = { readIdleMs: 200, pingTimeoutMs: 300 };
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'default' };
/** Which TLS connection (1, 2...) of the server answered. */
const servedBy = (answer: unknown): number => (answer as { connection: number }).connection;

function clientWithLog(): { client: RestKubeClient; log: string[]; transport: Transport } {
  const log: string[] = [];
  const logger = (_level: number, message: () => string) => void log.push(message());
  const transport = new Transport(url, { ca: cert }, async () => ({}), { log: logger, health: HEALTH });
  return { client: new RestKubeClient({ transport, requestTimeoutMs: 0, log: logger, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }), log, transport };
}

describe('the HTTP/2 session health check (no --request-timeout)', () => {
  it('finds a silent session dead by an unanswered PING and sends a read again on a new session', async () => {
    const { client, log, transport } = clientWithLog();
    const first = servedBy(await client.get(configMap));
    next.GET = 'freeze';
    const again = servedBy(await client.get(configMap));
    expect(again).toBe(first + 1);
    expect(seen.slice(-2).map((request) => request.connection)).toEqual([first, again]);
    expect(log.join('\n')).toMatch(/no answer to an HTTP\/2 PING within 0\.3s after \d+s without a frame; closing it/);
    transport.close();
  });

  it('fails a write on a silent session in one line naming the server, and sends it only once', async () => {
    const { client, transport } = clientWithLog();
    await client.get(configMap);
    next.POST = 'freeze';
    const before = seen.length;
    const failure = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KubeConnectionError);
    expect((failure as Error).message).toMatch(/^the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+ stopped answering: no answer to an HTTP\/2 PING within 0\.3s$/);
    expect(seen.slice(before).filter((request) => request.method === 'POST')).toHaveLength(1);
    transport.close();
  });

  it('leaves a slow answer on a live session alone: its PINGs are answered', async () => {
    const { client, log, transport } = clientWithLog();
    const first = servedBy(await client.get(configMap));
    next.GET = 'slow';
    expect(servedBy(await client.get(configMap))).toBe(first);
    expect(log.filter((line) => line.startsWith('HTTP/2 PING answered')).length).toBeGreaterThan(0);
    expect(log.join('\n')).not.toMatch(/no answer to an HTTP\/2 PING/);
    transport.close();
  });

  it('sends a create again when the server refused its stream (REFUSED_STREAM: not processed)', async () => {
    const { client, transport } = clientWithLog();
    next.POST = 'refuse';
    const before = seen.length;
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } });
    expect(seen.slice(before).map((request) => request.processed)).toEqual([false, true]);
    transport.close();
  });

  it('does not count refused sends against the retry attempts: a create refused 6 times (3 attempts) is sent a 7th', async () => {
    const { client, transport } = clientWithLog();
    refuseNext = 6;
    const before = seen.length;
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } });
    expect(seen.slice(before).map((request) => request.processed)).toEqual([false, false, false, false, false, false, true]);
    transport.close();
  });

  it('sends a create above a GOAWAY\'s last stream again on a new session; a stream below it still gets its answer', async () => {
    const { client, transport } = clientWithLog();
    const first = servedBy(await client.get(configMap));
    next.GET = 'slow';
    const slowArrived = arrival('GET');
    const slow = client.get(configMap);
    await slowArrived; // the GOAWAY that follows covers it
    next.POST = 'goaway';
    const before = seen.length;
    const created = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } });
    expect(servedBy(created)).toBe(first + 1);
    expect(seen.slice(before).map((request) => [request.method, request.processed])).toEqual([['POST', false], ['POST', true]]);
    expect(servedBy(await slow)).toBe(first);
    transport.close();
  });

  it('lets the process exit by itself once the requests spread over a GOAWAY\'d session and its successor are done', async () => {
    next.GET = 'slow';
    next.POST = 'goaway';
    // The last answer comes on the old session: the new one must not keep the process alive.
    // The child sends its POST once told (a line on stdin) that the server has its slow GET.
    const script = `
      import { Transport } from ${JSON.stringify(new URL('../../../src/kube/transport.ts', import.meta.url).pathname)};
      const transport = new Transport(process.env.URL, { ca: Buffer.from(process.env.CA) }, async () => ({}));
      const slow = transport.request({ method: 'GET', path: '/slow' });
      await new Promise((resolve) => process.stdin.once('data', resolve));
      process.stdin.pause();
      const refused = await transport.request({ method: 'POST', path: '/x', body: '{}' }).catch((error) => error);
      await transport.request({ method: 'POST', path: '/x', body: '{}' });
      console.log(refused.code, (await slow).status);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, URL: url, CA: cert.toString() }, stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    await arrival('GET');
    child.stdin.end('go\n');
    const exited = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 4_000);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    child.kill('SIGKILL');
    expect(output.trim()).toBe('ECONNRESET 200');
    expect(exited).toBe(true);
  });
});
