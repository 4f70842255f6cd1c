// Which proxy reaches the API server, as client-go decides: the cluster's proxy-url,
// else HTTPS_PROXY/https_proxy (HTTP_PROXY for an http:// server) unless NO_PROXY
// matches, with Go's rules (golang.org/x/net/http/httpproxy, plus client-go's CIDRs):
// never for localhost or a loopback address; a NO_PROXY entry is `*`, a host (and its
// subdomains), `.domain` (subdomains only), an IP or a CIDR, each with an optional port.
// (proxy-from-env differs: it reads npm_config_* and ALL_PROXY, matches no CIDR and no
// subdomain of a plain entry, and proxies loopback.)
import { BlockList, isIP } from 'node:net';
import { KubeconfigError } from './errors.ts';

export interface ProxyChoice {
  url: URL;
  /** Where it came from, for messages: "proxy-url of the cluster" or "HTTPS_PROXY". */
  origin: string;
  /** For an https:// proxy: the CAs its certificate is checked against (the machine's). */
  ca?: string[] | undefined;
}

const SCHEMES = new Set(['http:', 'https:', 'socks5:']);

export function proxyFor(server: URL, proxyUrl: string | undefined, env: Readonly<Record<string, string | undefined>>): ProxyChoice | undefined {
  if (proxyUrl) return { url: parseProxy(proxyUrl, 'proxy-url of the cluster'), origin: 'proxy-url of the cluster' };
  const secure = server.protocol === 'https:';
  const [upper, lower] = secure ? ['HTTPS_PROXY', 'https_proxy'] : ['HTTP_PROXY', 'http_proxy'];
  const name = env[upper] ? upper : env[lower] ? lower : undefined;
  if (!name) return undefined;
  const host = server.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || isLoopback(host)) return undefined;
  const port = Number(server.port || (secure ? 443 : 80));
  if (excluded(host, port, env.NO_PROXY || env.no_proxy || '')) return undefined;
  const value = env[name]!;
  // Go accepts a bare host:port and means http://host:port.
  return { url: parseProxy(/^[a-z0-9+.-]+:\/\//i.test(value) ? value : `http://${value}`, name), origin: name };
}

function parseProxy(value: string, origin: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KubeconfigError(`invalid proxy URL "${value}" (${origin})`);
  }
  if (!SCHEMES.has(url.protocol)) throw new KubeconfigError(`unsupported proxy scheme "${url.protocol.slice(0, -1)}" in ${origin}: http, https or socks5`);
  return url;
}

/** The proxy's address without its credentials, for messages. */
export function describeProxy(choice: ProxyChoice): string {
  return `${choice.url.protocol}//${choice.url.host} (${choice.origin})`;
}

function isLoopback(host: string): boolean {
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

function excluded(host: string, port: number, noProxy: string): boolean {
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    let entryPort = 0;
    const withPort = /^(.*):(\d+)$/.exec(entry);
    if (withPort && isIP(entry) !== 6) [entry, entryPort] = [withPort[1]!, Number(withPort[2])];
    entry = entry.replace(/^\[|\]$/g, '');
    if (entryPort && entryPort !== port) continue;
    if (isIP(entry)) {
      if (entry === host) return true;
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.') ? host.endsWith(entry) : host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

function inCidr(host: string, cidr: string): boolean {
  const family = isIP(host);
  const [network, bits] = cidr.split('/') as [string, string];
  if (!family || isIP(network) !== family) return false;
  const list = new BlockList();
  try {
    list.addSubnet(network, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
  return list.check(host, family === 6 ? 'ipv6' : 'ipv4');
}
