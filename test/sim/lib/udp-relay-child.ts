// Runs inside one of the simulator's network namespaces (nsenter --net=…): sends each
// datagram it is given on stdin from a socket of its own (a fresh source port per query,
// as a stub resolver does, so kube-proxy chooses an endpoint for each) and writes every
// answer to stdout. Lines in: `<id> <host> <port> <base64>`; out: `sent <id> <local port>` once
// the datagram is handed to the kernel, and `<id> <from> <local port> <base64>` per answer.
// Exits when stdin closes.
import dgram from 'node:dgram';
import readline from 'node:readline';

const open = new Set<dgram.Socket>();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [id, host, port, data] = line.split(' ') as [string, string, string, string];
  const socket = dgram.createSocket('udp4');
  open.add(socket);
  const close = () => {
    if (open.delete(socket)) socket.close();
  };
  const timer = setTimeout(close, 10_000);
  socket.on('message', (message, from) => {
    process.stdout.write(`${id} ${from.address}:${from.port} ${socket.address().port} ${message.toString('base64')}\n`);
    clearTimeout(timer);
    close();
  });
  socket.on('error', () => close());
  socket.send(Buffer.from(data, 'base64'), Number(port), host, (error) => {
    if (!error && open.has(socket)) process.stdout.write(`sent ${id} ${socket.address().port}\n`);
  });
}).on('close', () => {
  for (const socket of open) socket.close();
  process.exit(0);
});
