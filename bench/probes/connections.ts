// Probe (not part of npm run bench): what 20 concurrent GETs cost the client on one
// simulator, as `check-drift` makes them: one HTTP/1.1 keep-alive agent with a socket per
// request (20 TLS handshakes, as src/kube/transport.ts did before 48c0e6d), the same with one
// shared SecureContext, a pool of 2 sockets, and one HTTP/2 session (as kubectl does, and
// src/kube/transport.ts since 48c0e6d when the server offers h2).
//   node bench/probes/connections.ts        (KAPSULE_HA_SIM_DIR/…_PORT_OFFSET select the simulator)
import http2 from 'node:http2';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { sim } from '../lib/cluster.ts';
import { inTurns, median, table } from '../lib/stats.ts';

const info = sim.info();
const ca = readFileSync(info.caFile);
const headers = { authorization: `Bearer ${info.adminToken}`, 'user-agent': 'kapsule-ha-bench/probe' };
const paths = Array.from({ length: 20 }, (_, i) => (i % 2 ? '/apis/apps/v1/namespaces/kube-system/deployments/coredns' : '/api/v1/namespaces/kube-system/configmaps/coredns'));

async function overHttp1(agent: https.Agent): Promise<void> {
  await Promise.all(
    paths.map(
      (path) =>
        new Promise<void>((resolve, reject) => {
          https.get(new URL(path, info.server), { agent, headers }, (response) => response.resume().on('end', resolve)).on('error', reject);
        }),
    ),
  );
  agent.destroy();
}

async function overHttp2(): Promise<void> {
  const session = http2.connect(info.server, { ca });
  await Promise.all(
    paths.map(
      (path) =>
        new Promise<void>((resolve, reject) => {
          const stream = session.request({ ':path': path, ...headers });
          stream.on('error', reject).resume().on('end', resolve);
          stream.end();
        }),
    ),
  );
  session.close();
}

const variants: Record<string, () => Promise<void>> = {
  'HTTP/1.1, a socket per request (before 48c0e6d)': () => overHttp1(new https.Agent({ keepAlive: true, ca })),
  'HTTP/1.1, one shared SecureContext': () => overHttp1(new https.Agent({ keepAlive: true, secureContext: tls.createSecureContext({ ca }) })),
  'HTTP/1.1, 2 sockets': () => overHttp1(new https.Agent({ keepAlive: true, ca, maxSockets: 2 })),
  'HTTP/2, one session': overHttp2,
};

const samples = await inTurns(
  Object.entries(variants).map(([label, run]) => ({
    label,
    run: async () => {
      const wall = performance.now();
      const cpu = process.cpuUsage();
      await run();
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
    },
  })),
  15,
  2,
);
process.stdout.write(
  `${table(
    ['20 concurrent GETs', 'median wall ms', 'median client CPU ms'],
    [...samples].map(([label, runs]) => [label, median(runs.map((r) => r.ms)).toFixed(1), median(runs.map((r) => r.cpuMs)).toFixed(1)]),
  )}\n`,
);
