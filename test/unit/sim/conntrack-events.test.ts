import { describe, expect, it } from 'vitest';
import { parseConntrackEvent } from '../../sim/conntrack-events.ts';

// Lines as `conntrack -E` printed them in the simulator's cluster namespace (17:36Z run).
describe('a conntrack event line', () => {
  it('gives the TCP state, the source port and the endpoint kube-proxy DNATed the flow to', () => {
    const line = '    [NEW] tcp      6 120 SYN_SENT src=10.32.6.177 dst=10.32.6.177 sport=55520 dport=443 [UNREPLIED] src=100.79.1.18 dst=172.16.0.1 sport=10250 dport=54794';
    expect(parseConntrackEvent(line, 7)).toEqual({ type: 'NEW', state: 'SYN_SENT', sport: 55520, endpoint: '100.79.1.18', unreplied: true, at: 7 });
    const refused = '[DESTROY] tcp      6 120 CLOSE src=10.32.6.177 dst=10.32.6.177 sport=55520 dport=443 [UNREPLIED] src=100.79.1.18 dst=172.16.0.1 sport=10250 dport=54794';
    expect(parseConntrackEvent(refused, 8)).toMatchObject({ type: 'DESTROY', state: 'CLOSE', sport: 55520, unreplied: true });
    const established = ' [UPDATE] tcp      6 432000 ESTABLISHED src=10.32.6.177 dst=10.32.6.177 sport=55524 dport=443 src=100.79.1.19 dst=172.16.0.1 sport=10250 dport=57785 [ASSURED]';
    expect(parseConntrackEvent(established, 9)).toMatchObject({ type: 'UPDATE', state: 'ESTABLISHED', endpoint: '100.79.1.19', unreplied: false });
  });

  it('gives a UDP flow without a state', () => {
    const line = '    [NEW] udp      17 30 src=100.64.0.2 dst=10.32.0.10 sport=37680 dport=53 [UNREPLIED] src=100.79.1.33 dst=100.64.0.2 sport=53 dport=37680';
    expect(parseConntrackEvent(line, 1)).toEqual({ type: 'NEW', sport: 37680, endpoint: '100.79.1.33', unreplied: true, at: 1 });
  });

  it('is nothing for conntrack\'s other lines', () => {
    expect(parseConntrackEvent('conntrack v1.4.7 (conntrack-tools): 12 flow events have been shown.', 1)).toBeUndefined();
    expect(parseConntrackEvent('NOTICE: Netlink socket buffer size has been set to 33554432 bytes.', 1)).toBeUndefined();
  });
});
