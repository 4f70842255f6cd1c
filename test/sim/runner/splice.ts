// Two sockets joined both ways, both closed when either fails: the API server's
// pass-through (runner side: unix socket → TCP; pod side: TCP → unix socket).
import type net from 'node:net';

export function splice(client: net.Socket, upstream: net.Socket): void {
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
}
