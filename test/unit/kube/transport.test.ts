// The transport over TLS: one HTTP/2 session for every request when the server offers h2
// by ALPN (as kubectl), HTTP/1.1 otherwise; a session that dies fails its requests as a
// reset connection (so reads are retried, creates are not); per-request time limits; a
// watch streaming on the same session does not hold the other requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Transport, TIMEOUT_CODE } from '../../../src/kube/transport.ts';
import { RestKubeClient } from '../../../src/kube/client.ts';
import { KubeConnectionError } from '../../../src/kube/errors.ts';

const folder = mkdtempSync(join(tmpdir(), 'kapsule-ha-transport-'));
let key: Buffer;
let cert: Buffer;
let h2: http2.Http2SecureServer;
let h2Url: string;
let h1: https.Server;
let h1Url: string;
let connections = 0;
const seen: Array<{ path: string; method: string; version: string; agent: string | undefined }> = [];
let killNext = 0;

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem')], { stdio: 'ignore' });
  key = readFileSync(join(folder, 'key.pem'));
  cert = readFileSync(join(folder, 'cert.pem'));
  const handler = (request: http2.Http2ServerRequest, response: http2.Http2ServerResponse) => {
    const path = request.url ?? '';
    seen.push({ path, method: request.method ?? '', version: request.httpVersion, agent: request.headers['user-agent'] });
    if (killNext > 0) {
      killNext--;
      request.stream.session?.destroy();
      return;
    }
    if (path.startsWith('/hang')) return;
    if (path.startsWith('/watch')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'x' } } })}\n`), 20);
      request.on('close', () => clearInterval(timer));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ path, version: request.httpVersion, gitVersion: 'v1.35.4' }));
  };
  h2 = http2.createSecureServer({ key, cert, allowHTTP1: true }, handler);
  h2.on('secureConnection', () => connections++);
  h1 = https.createServer({ key, cert }, handler as never); // the same calls on HTTP/1.1's request and response
  await Promise.all([new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve)), new Promise<void>((resolve) => h1.listen(0, '127.0.0.1', resolve))]);
  h2Url = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  h1Url = `https://127.0.0.1:${(h1.address() as AddressInfo).port}`;
});

afterAll(async () => {
  h1.closeAllConnections();
  await Promise.all([new Promise((resolve) => h2.close(resolve)), new Promise((resolve) => h1.close(resolve))]);
  rmSync(folder, { recursive: true, force: true });
});

const transportTo = (url: string) => new Transport(url, { ca: cert }, async () => ({ 'User-Agent': 'kapsule-ha-test' }));
const get = (transport: Transport, path: string, deadline?: number) => transport.request({ method: 'GET', path, headers: { Accept: 'application/json' }, deadline, deadlineLabel: '300ms (--request-timeout)' });

describe('the transport', () => {
  it('sends 20 concurrent requests on one HTTP/2 session (one TLS connection)', async () => {
    const before = connections;
    const transport = transportTo(h2Url);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, index) => get(transport, `/api/v1/things/${index}`)));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(responses.map((response) => JSON.parse(response.body).version)).toEqual(Array(20).fill('2.0'));
    expect(responses[0]!.headers['content-type']).toBe('application/json');
    expect(transport.negotiated).toBe('h2');
    expect(connections - before).toBe(1);
    expect(seen.at(-1)?.agent).toBe('kapsule-ha-test');
    transport.close();
  });

  it('falls back to HTTP/1.1 (keep-alive) when the server does not offer h2', async () => {
    const transport = transportTo(h1Url);
    const responses = await Promise.all(Array.from({ length: 5 }, (_, index) => get(transport, `/api/v1/things/${index}`)));
    expect(responses.map((response) => JSON.parse(response.body).version)).toEqual(Array(5).fill('1.1'));
    expect(transport.negotiated).toBe('http/1.1');
    transport.close();
  });

  it('a session that dies fails its requests as a reset: a read is retried on a new session, a create is not', async () => {
    const transport = transportTo(h2Url);
    const client = new RestKubeClient({ transport, requestTimeoutMs: 0, log: () => {}, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    await get(transport, '/warm-up');
    killNext = 1;
    const before = seen.length;
    const read = await transport.request({ method: 'GET', path: '/kill/read', headers: {} }).catch((error: NodeJS.ErrnoException) => error);
    expect(read, JSON.stringify(read)).toBeInstanceOf(Error);
    expect((read as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    killNext = 1;
    const reads = seen.length;
    expect(await client.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'kill', namespace: 'default' })).toMatchObject({ gitVersion: 'v1.35.4' });
    expect(seen.length - reads).toBe(2); // killed once, then answered on a new session
    killNext = 1;
    const created = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kill', namespace: 'default' } }).catch((error: unknown) => error);
    expect(created).toBeInstanceOf(KubeConnectionError);
    expect((created as Error).message).toMatch(/^the connection to the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+ was reset$/);
    expect(seen.slice(before).filter((request) => request.method === 'POST')).toHaveLength(1); // sent once
    transport.close();
  });

  it('gives up a request at its deadline while the others on the session go on; a watch does not hold them', async () => {
    const transport = transportTo(h2Url);
    const controller = new AbortController();
    const events: string[] = [];
    const watching = transport.request({ method: 'GET', path: '/watch', headers: {}, signal: controller.signal }, (chunk) => events.push(chunk)).catch((error: Error) => error);
    const hung = get(transport, '/hang', Date.now() + 300).catch((error: NodeJS.ErrnoException) => error);
    const quick = await Promise.all(Array.from({ length: 5 }, (_, index) => get(transport, `/quick/${index}`)));
    expect(quick.every((response) => response.status === 200)).toBe(true);
    const failure = (await hung) as NodeJS.ErrnoException;
    expect(failure.code).toBe(TIMEOUT_CODE);
    expect(failure.message).toBe('300ms (--request-timeout)');
    expect((await get(transport, '/after')).status).toBe(200); // the session survived the cancelled stream
    expect(events.length).toBeGreaterThan(0);
    controller.abort();
    expect(((await watching) as Error).name).toBe('AbortError');
    transport.close();
  });

  it('a certificate it cannot verify is a TLS error, as over HTTP/1.1', async () => {
    const transport = new Transport(h2Url, {}, async () => ({}));
    const failure = (await get(transport, '/x').catch((error: NodeJS.ErrnoException) => error)) as NodeJS.ErrnoException;
    expect(failure.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });

  it('an aborted signal ends a connection attempt to a server that never answers at once (not after 30s)', async () => {
    const { createServer } = await import('node:net');
    const abort = new AbortController();
    // Accepts TCP, never says a TLS word; Ctrl-C comes once the client's connection is in.
    const silent = createServer(() => abort.abort());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const transport = new Transport(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`, { rejectUnauthorized: false }, async () => ({}));
      const pending = transport.request({ method: 'GET', path: '/version', signal: abort.signal }).catch((error: NodeJS.ErrnoException) => error);
      const outcome = await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('still connecting'), 3_000))]);
      expect((outcome as NodeJS.ErrnoException).code).toBe('ABORT_ERR');
    } finally {
      silent.close();
    }
  });
});
