// Where the runner's processes listen. Each pod gets a loopback address of its own
// (127/8 is all local on Linux: nothing is added to the machine's network), from a
// /16 derived from $KAPSULE_HA_SIM_PORT_OFFSET so that simulators side by side never
// share one. Its status podIP is an ordinary pod-network address (EndpointSlices reject
// loopback ones) from a /16 at the top of kwok's 100.64.0.0/12, which kwok, allocating
// from the bottom, does not reach. podIPs.json maps one to the other for the tests.
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { layout, type Layout } from '../lib/layout.ts';

const portOffset = Number(process.env.KAPSULE_HA_SIM_PORT_OFFSET ?? 0) || 0;
/** 127.<octet>.0.0/16: 0 → 127.1, 100 → 127.101, 700 → 127.189… (distinct for offsets below 251 and multiples of 100). */
const loopbackOctet = 1 + (portOffset % 251);

/** The in-runner upstream DNS server (what each CoreDNS's resolv.conf names). */
export const upstreamAddress = `127.${loopbackOctet}.0.1`;

/** Pod IPs the runner hands out: kwok allocates 100.64.0.0/12 from its start. */
const podNetworkPrefix = '100.79';

export function addressMapFile(l: Layout): string {
  return path.join(l.stateDir, 'runner', 'podIPs.json');
}

/** Hands out pairs (pod IP, host address) by index, reusing indexes that were released. */
export class AddressPool {
  private readonly used = new Set<number>();
  private readonly byPodIp = new Map<string, string>();

  allocate(): { podIP: string; hostAddress: string } {
    let index = 0;
    while (this.used.has(index)) index++;
    if (index >= 254 * 254) throw new Error('the runner ran out of pod addresses');
    this.used.add(index);
    const [high, low] = [1 + Math.floor(index / 254), 1 + (index % 254)];
    const pair = { podIP: `${podNetworkPrefix}.${high}.${low}`, hostAddress: `127.${loopbackOctet}.${high}.${low}` };
    this.byPodIp.set(pair.podIP, pair.hostAddress);
    return pair;
  }

  release(podIP: string): void {
    const [, , high, low] = podIP.split('.').map(Number) as [number, number, number, number];
    this.used.delete((high - 1) * 254 + (low - 1));
    this.byPodIp.delete(podIP);
  }

  /** Published atomically for podHostAddress(). */
  async publish(l: Layout): Promise<void> {
    const file = addressMapFile(l);
    // Publications may overlap: each writes its own temporary file.
    const temporary = `${file}.${process.hrtime.bigint()}.tmp`;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temporary, JSON.stringify(Object.fromEntries(this.byPodIp)));
    await rename(temporary, file);
  }
}

/** Where this machine reaches a runner pod's ports, by its status podIP; undefined for any other pod. */
export function hostAddressOf(podIP: string, stateDir?: string): string | undefined {
  try {
    const map = JSON.parse(readFileSync(addressMapFile(layout(stateDir)), 'utf8')) as Record<string, string>;
    return map[podIP];
  } catch {
    return undefined;
  }
}
