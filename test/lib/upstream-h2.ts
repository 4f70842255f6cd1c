// The fault proxy's way to the real API server: one HTTP/2 session (made again when it
// ends), every request a stream on it, watches included, as the plugin itself talks.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

// Connection-specific headers (RFC 9113 8.2.2) and HTTP/1.1 framing do not cross over.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings', 'te']);

export const endToEndHeaders = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(':') && !HOP_BY_HOP.has(name)));

export interface Upstream {
  request(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): ClientHttp2Stream;
  close(): void;
}

export function upstreamSession(server: URL, ca: Buffer): Upstream {
  let session: ClientHttp2Session | undefined;
  const current = (): ClientHttp2Session => {
    if (session && !session.closed && !session.destroyed) return session;
    const fresh = http2.connect(server.origin, { ca, settings: { initialWindowSize: 16 * 1024 * 1024 } });
    fresh.on('error', () => {}); // its streams fail with it; the next request connects again
    fresh.on('connect', () => fresh.setLocalWindowSize(64 * 1024 * 1024));
    session = fresh;
    return fresh;
  };
  return {
    request(method, path, headers, body) {
      const stream = current().request({ ...endToEndHeaders(headers), ':method': method, ':path': path }, { endStream: body.length === 0 });
      if (body.length > 0) stream.end(body);
      return stream;
    },
    close: () => session?.close(),
  };
}
