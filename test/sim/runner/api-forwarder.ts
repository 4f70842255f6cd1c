// Runs inside a pod's own network namespace (see sandbox.ts): listens on the API
// server's address there and passes each connection, still TLS, through the runner's
// unix socket to the real API server. Exits when the process that started it is gone.
//   node api-forwarder.ts <unix socket> <host> <port> <ready file>
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { splice } from './splice.ts';

const [socketPath, host, port, readyFile] = process.argv.slice(2) as [string, string, string, string];
const parent = process.ppid;

net
  .createServer((client) => splice(client, net.connect(socketPath)))
  .listen(Number(port), host, () => writeFileSync(readyFile, ''));

setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();
process.on('SIGTERM', () => process.exit(0));
