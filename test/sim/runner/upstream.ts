// The upstream DNS server every runner CoreDNS forwards to (its resolv.conf names it):
// answers upstreamName with upstreamAnswer and NXDOMAIN otherwise, over UDP and TCP,
// at 172.16.0.1 in the cluster network namespace (the cluster gateway runs it), as a
// node's resolver would be. Real DNS, so `forward` and `loop` behave.
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { upstreamAnswer, upstreamName } from './upstream-name.ts';

export function answer(query: Buffer): Buffer {
  const request = dnsPacket.decode(query);
  const question = request.questions?.[0];
  const name = `${(question?.name ?? '').replace(/\.$/, '').toLowerCase()}.`;
  const known = name === upstreamName;
  return dnsPacket.encode({
    id: request.id,
    type: 'response',
    // Authoritative answer, recursion available; RCODE 3 (NXDOMAIN) for every other name.
    flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | ((request.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | (known ? 0 : 3),
    questions: request.questions,
    answers: known && question?.type === 'A' ? [{ name: question.name, type: 'A', class: 'IN', ttl: 30, data: upstreamAnswer }] : [],
  });
}

export async function startUpstream(address: string, port = 53): Promise<() => void> {
  const udp = dgram.createSocket('udp4');
  udp.on('message', (message, remote) => {
    try {
      udp.send(answer(message), remote.port, remote.address);
    } catch {
      // not a DNS query: no answer
    }
  });
  const tcp = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const length = buffer.readUInt16BE(0);
        const reply = answer(buffer.subarray(2, 2 + length));
        buffer = buffer.subarray(2 + length);
        const framed = Buffer.alloc(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.write(framed);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, address, () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, address, () => resolve());
  });
  return () => {
    udp.close();
    tcp.close();
  };
}
