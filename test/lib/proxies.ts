// Two real proxies for the tests, each counting the tunnels it opens: an HTTP CONNECT
// proxy (node:http's 'connect' event) and a SOCKS5 proxy (RFC 1928, no authentication,
// CONNECT only). Both resolve names through `aliases` first, so a kubeconfig can name
// the API server by a host only the proxy knows: a connection that bypassed the proxy
// could not even resolve it.
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** "host:port" of every tunnel opened, in order. */
  tunnels: string[];
  close(): Promise<void>;
}

function pipeTo(client: net.Socket, host: string, port: number, aliases: Record<string, string>, onOpen: () => void, onFail: () => void): void {
  const upstream = net.connect(port, aliases[host] ?? host, () => {
    onOpen();
    upstream.pipe(client).pipe(upstream);
  });
  upstream.on('error', () => {
    onFail();
    client.destroy();
  });
  client.on('error', () => upstream.destroy());
}

async function listen(server: net.Server, scheme: string, tunnels: string[], sockets: Set<net.Socket>): Promise<CountingProxy> {
  server.on(server instanceof https.Server ? 'secureConnection' : 'connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `tls`: an https:// proxy (the client reaches it over TLS, then tunnels inside). */
export function startConnectProxy(aliases: Record<string, string> = {}, tls?: https.ServerOptions): Promise<CountingProxy> {
  const tunnels: string[] = [];
  const refuse = (_request: http.IncomingMessage, response: http.ServerResponse) => response.writeHead(405).end();
  const server = tls ? https.createServer(tls, refuse) : http.createServer(refuse);
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = request.url ?? '';
    const [, host, port] = /^\[?([^\]]+)\]?:(\d+)$/.exec(target) ?? [];
    if (!host) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    pipeTo(client, host, Number(port), aliases, () => {
      tunnels.push(target);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) client.unshift(head);
    }, () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  });
  return listen(server, tls ? 'https' : 'http', tunnels, new Set());
}

export function startSocksProxy(aliases: Record<string, string> = {}): Promise<CountingProxy> {
  const tunnels: string[] = [];
  const server = net.createServer((client) => {
    let buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'request' = 'greeting';
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (stage === 'greeting') {
        if (buffer.length < 2 || buffer.length < 2 + buffer[1]!) return;
        buffer = buffer.subarray(2 + buffer[1]!);
        client.write(Buffer.from([5, 0])); // no authentication
        stage = 'request';
      }
      if (buffer.length < 5) return;
      const type = buffer[3]!;
      const length = type === 1 ? 4 : type === 4 ? 16 : 1 + buffer[4]!;
      if (buffer.length < 4 + length + 2) return;
      const address = buffer.subarray(4, 4 + length);
      const host = type === 1 ? [...address].join('.') : type === 3 ? address.subarray(1).toString('utf8') : net.SocketAddress.parse(`[${address.toString('hex').match(/.{4}/g)!.join(':')}]:0`)!.address;
      const port = buffer.readUInt16BE(4 + length);
      const rest = buffer.subarray(4 + length + 2);
      client.off('data', onData);
      const reply = (code: number) => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
      if (buffer[1] !== 1) return void client.end(reply(7)); // CONNECT only
      pipeTo(client, host, port, aliases, () => {
        tunnels.push(`${host}:${port}`);
        client.write(reply(0));
        if (rest.length > 0) client.unshift(rest);
      }, () => client.end(reply(5)));
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  return listen(server, 'socks5', tunnels, new Set());
}
