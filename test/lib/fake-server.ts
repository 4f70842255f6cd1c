// A tiny HTTP server standing in for an API server in client tests: it checks our
// client's own logic (retries, errors, headers), never Kubernetes semantics.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  /** 'reset': drop the connection without answering. */
  status: number | 'reset';
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function fakeServer(reply: (request: RecordedRequest, index: number) => Reply): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((incoming, outgoing) => {
    let body = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk: string) => (body += chunk));
    incoming.on('end', () => {
      const request = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body, at: Date.now() };
      requests.push(request);
      const answer = reply(request, requests.length - 1);
      if (answer.status === 'reset') return void incoming.socket.destroy();
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      outgoing.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      outgoing.end(text);
    });
  });
  return listening(server, requests);
}

/** Accepts connections and never answers: a hung API server or a black-holed proxy. */
export async function blackhole(): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const result = await listening(server, []);
  return { ...result, close: () => {
      for (const socket of sockets) socket.destroy();
      return result.close();
    }, };
}

/** A port with nothing listening (bound then released). */
export async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  const { url, close } = await listening(server, []);
  await close();
  return url;
}

async function listening(server: net.Server, requests: RecordedRequest[]): Promise<FakeServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function status(code: number, reason: string, message: string, causes?: unknown[]): Reply {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details: causes ? { causes } : undefined } };
}
