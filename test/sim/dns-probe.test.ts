// The DNS probe can fail: every kind of failure it counts is provoked here, against a tiny
// DNS server of the test's own (the probe's queries redirected to it) or by taking kube-dns's
// endpoints away. The e2e tests rely on it seeing what they assert never happens.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsProbe } from './dns-probe.ts';
import * as sim from './sim.ts';

type Behaviour = 'right' | 'servfail' | 'wrong' | 'silent';
const NAMES = [
  { name: 'kubernetes.default.svc.cluster.local', answer: '10.32.0.1' },
  { name: 'upstream.probe.test', answer: '192.0.2.53' },
];

/** A DNS server on 127.0.0.1 that answers as told. */
async function tinyServer(behaviour: () => Behaviour): Promise<{ port: number; queries: () => number; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  let queries = 0;
  socket.on('message', (message, from) => {
    queries++;
    const query = dnsPacket.decode(message);
    const question = query.questions![0]!;
    const how = behaviour();
    if (how === 'silent') return;
    const truth = NAMES.find((n) => n.name === question.name)?.answer ?? '198.51.100.1';
    const answer = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (how === 'servfail' ? 2 : 0),
      questions: [question],
      answers: how === 'servfail' ? [] : [{ type: 'A', name: question.name, ttl: 30, data: how === 'wrong' ? '198.51.100.7' : truth }],
    });
    socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, queries: () => queries, close: () => socket.close() };
}

describe('the DNS probe', () => {
  beforeAll(() => sim.reset());
  afterAll(() => sim.reset());

  it('counts right answers, SERVFAILs, wrong answers and timeouts as what they are', async () => {
    let how: Behaviour = 'right';
    const server = await tinyServer(() => how);
    const redirect = { reach: () => ({ host: '127.0.0.1', port: server.port }), names: NAMES, timeoutMs: 500 };
    try {
      const phases: Record<Behaviour, Awaited<ReturnType<Awaited<ReturnType<typeof startDnsProbe>>['stop']>>> = {} as any;
      for (const phase of ['right', 'servfail', 'wrong', 'silent'] as Behaviour[]) {
        how = phase;
        const probe = await startDnsProbe(redirect);
        await new Promise((resolve) => setTimeout(resolve, 500));
        phases[phase] = await probe.stop(200);
      }
      expect(phases.right.sent).toBeGreaterThan(5);
      expect(phases.right).toMatchObject({ failed: 0, answered: phases.right.sent, endpointsQueried: 1 });
      expect(phases.servfail).toMatchObject({ answered: 0, servfails: phases.servfail.sent, failed: phases.servfail.sent });
      expect(phases.wrong).toMatchObject({ answered: 0, wrong: phases.wrong.sent, failed: phases.wrong.sent });
      expect(phases.wrong.firstFailures[0]).toMatch(/198\.51\.100\.7/);
      expect(phases.silent).toMatchObject({ answered: 0, timeouts: phases.silent.sent, failed: phases.silent.sent });
      expect(server.queries()).toBe(Object.values(phases).reduce((sum, p) => sum + p.sent, 0));
    } finally {
      server.close();
    }
  });

  it('counts the ticks when kube-dns has no ready endpoint, and when a pod has no address here', async () => {
    const server = await tinyServer(() => 'right');
    try {
      const probe = await startDnsProbe({ reach: () => ({ host: '127.0.0.1', port: server.port }), names: NAMES });
      const scale = (replicas: number) => sim.kubectl(['scale', 'deployment/coredns', '-n', 'kube-system', `--replicas=${replicas}`]);
      expect((await scale(0)).code).toBe(0);
      for (let i = 0; i < 100 && probe.counts().noEndpoint === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      const result = await probe.stop(200);
      expect(result.noEndpoint).toBeGreaterThan(0);
      expect(result.minReady).toBe(0);
      expect(result.watchEvents).toBeGreaterThan(0);
      expect(result.failed).toBe(result.noEndpoint);
      expect((await scale(1)).code).toBe(0);
      expect((await sim.kubectl(['rollout', 'status', 'deployment/coredns', '-n', 'kube-system', '--timeout=120s'])).code).toBe(0);

      const nowhere = await startDnsProbe({ reach: () => undefined, names: NAMES });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const unreachable = await nowhere.stop(0);
      expect(unreachable.unreachable).toBeGreaterThan(0);
      expect(unreachable.failed).toBe(unreachable.unreachable);
    } finally {
      server.close();
    }
  });
});
