// Pod IPs the runner hands out, from a /16 at the top of kwok's 100.64.0.0/12 (kwok
// allocates from the bottom and never reaches it). Each is a real address: its pod's
// network namespace holds it (lib/pod-network.ts). Every simulator has a namespace of its
// own, so simulators side by side may hand out the same addresses.

/** Runner pods' addresses; the DNS probe's client sandboxes take 100.78.0.0/16. */
const podNetworkPrefix = '100.79';

/**
 * Hands out pod IPs round-robin, as host-local IPAM does: an address released is not
 * reused at once, so a stale endpoint never reaches the next pod.
 */
export class AddressPool {
  private readonly used = new Set<number>();
  private next = 0;

  allocate(): string {
    const size = 254 * 254;
    if (this.used.size >= size) throw new Error('the runner ran out of pod addresses');
    let index = this.next;
    while (this.used.has(index)) index = (index + 1) % size;
    this.next = (index + 1) % size;
    this.used.add(index);
    return `${podNetworkPrefix}.${1 + Math.floor(index / 254)}.${1 + (index % 254)}`;
  }

  release(podIP: string): void {
    const [, , high, low] = podIP.split('.').map(Number) as [number, number, number, number];
    this.used.delete((high - 1) * 254 + (low - 1));
  }
}
