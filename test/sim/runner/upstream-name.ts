// The one name the runner's upstream DNS server answers (everything else is NXDOMAIN):
// what a CoreDNS `forward . /etc/resolv.conf` reaches for names outside the cluster.
export const upstreamName = 'probe.upstream.test.';
export const upstreamAnswer = '192.0.2.53';
