// The floor for check-drift in Node (bench item 2): the least a Node 24 program must do for
// the same job as `kubectl get deploy -n kube-system -o json`: read the kubeconfig, open one
// TLS + HTTP/2 session, GET kube-system's Deployments, parse the JSON. Plain JavaScript (no
// type stripping), built-ins only. It reads the simulator's kubeconfig shape (one cluster,
// a token or a client certificate, inline data) with a few patterns, not a YAML parser;
// prints the number of Deployments.
import { readFileSync } from 'node:fs';
import { connect } from 'node:http2';

const text = readFileSync(process.env.KUBECONFIG?.split(':')[0] ?? `${process.env.HOME}/.kube/config`, 'utf8');
const field = (name) => new RegExp(`^\\s*${name}:\\s*"?([^"\\s]+)"?\\s*$`, 'm').exec(text)?.[1];
const decoded = (name) => (field(name) ? Buffer.from(field(name), 'base64') : undefined);
const server = field('server');
const token = field('token');
const session = connect(server, { ca: decoded('certificate-authority-data'), cert: decoded('client-certificate-data'), key: decoded('client-key-data') });
session.on('error', (error) => {
  console.error(`error: ${error.message}`);
  process.exit(3);
});
const stream = session.request({ ':path': '/apis/apps/v1/namespaces/kube-system/deployments', accept: 'application/json', 'user-agent': 'kapsule-ha-node-floor', ...(token ? { authorization: `Bearer ${token}` } : {}) });
const chunks = [];
stream.on('data', (chunk) => chunks.push(chunk));
stream.on('end', () => {
  const list = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  process.stdout.write(`${list.items.length} deployments\n`);
  session.close();
});
stream.end();
