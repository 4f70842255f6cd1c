// Trust as kubectl: with no CA in the kubeconfig, the machine's store (SSL_CERT_FILE and
// SSL_CERT_DIR, as Go and OpenSSL read them, so no change to the machine is needed); and
// each TLS failure kind told apart, naming its way out. Small TLS servers made here with
// openssl stand in for API servers: what is tested is the TLS handshake, not Kubernetes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { cli } from '../../lib/in-process-cli.ts';
import { startConnectProxy, startSocksProxy } from '../../lib/proxies.ts';

const dir = mkdtempSync(join(tmpdir(), 'kapsule-ha-tls-'));
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A CA, and a certificate it signs. */
function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
}
function signed(ca: string, name: string, extension: string): void {
  writeFileSync(file(`${name}.ext`), extension);
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

let plainUrl: string;
const servers: https.Server[] = [];

async function serve(options: https.ServerOptions): Promise<string> {
  const server = https.createServer(options, (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ gitVersion: 'v9.9.9-tls-test' }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function kubeconfig(server: string, cluster: string[] = [], user: string[] = ['token: t']): string {
  const path = join(mkdtempSync(join(dir, 'kc-')), 'config');
  const indent = (lines: string[]) => lines.map((line) => `    ${line}`).join('\n');
  writeFileSync(path, `apiVersion: v1\ncurrent-context: c\nclusters:\n- name: k\n  cluster:\n    server: ${server}\n${indent(cluster)}\ncontexts:\n- name: c\n  context: { cluster: k, user: u }\nusers:\n- name: u\n  user:\n${indent(user)}\n`);
  return path;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const version = (config: string, env: Record<string, string> = {}) => cli(['version', '--client=false', '--kubeconfig', config, '--request-timeout', '10s'], { env });

beforeAll(async () => {
  makeCa('server-ca');
  makeCa('other-ca');
  makeCa('client-ca');
  makeCa('intruder-ca');
  signed('intruder-ca', 'intruder', 'extendedKeyUsage=clientAuth\n');
  signed('server-ca', 'server', 'subjectAltName=DNS:api.internal\n');
  signed('other-ca', 'proxy', 'subjectAltName=IP:127.0.0.1\n');
  const serverTls = { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) };
  plainUrl = await serve(serverTls);
  mkdirSync(file('certs'));
  writeFileSync(file('certs/server-ca.pem'), readFileSync(file('server-ca.pem')));
}, 60_000); // openssl on a busy machine

afterAll(() => {
  for (const server of servers) server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the machine trust store when the kubeconfig names no CA', () => {
  it('a server certificate signed by a CA only in SSL_CERT_FILE is trusted (tls-server-name matching it)', async () => {
    const result = await version(kubeconfig(plainUrl, ['tls-server-name: api.internal']), { SSL_CERT_FILE: file('server-ca.pem') });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/Server Version: v9\.9\.9-tls-test/);
  });

  it('through a CONNECT or SOCKS5 proxy too, to a server that speaks only HTTP/1.1 (TLS inside the tunnel)', async () => {
    for (const start of [startConnectProxy, startSocksProxy]) {
      const proxy = await start();
      try {
        const result = await version(kubeconfig(plainUrl, ['tls-server-name: api.internal', `proxy-url: ${proxy.url}`]), { SSL_CERT_FILE: file('server-ca.pem') });
        expect(result.stdout, result.stderr).toMatch(/Server Version: v9\.9\.9-tls-test/);
        // One tunnel to learn (by ALPN) that the server has no HTTP/2, one for HTTP/1.1.
        expect(proxy.tunnels).toEqual([plainUrl.slice('https://'.length), plainUrl.slice('https://'.length)]);
      } finally {
        await proxy.close();
      }
    }
  });

  it("an https:// proxy's own certificate is checked against the machine's store too", async () => {
    const proxy = await startConnectProxy({}, { key: readFileSync(file('proxy.key')), cert: readFileSync(file('proxy.pem')) });
    try {
      const config = kubeconfig(plainUrl, [`certificate-authority: ${file('server-ca.pem')}`, 'tls-server-name: api.internal', `proxy-url: ${proxy.url}`]);
      const trusted = await version(config, { SSL_CERT_FILE: file('other-ca.pem') });
      expect(trusted.stdout, trusted.stderr).toMatch(/Server Version: v9\.9\.9-tls-test/);
      expect(proxy.tunnels.length).toBeGreaterThan(0);
      const untrusted = await version(config, { SSL_CERT_FILE: file('server-ca.pem'), SSL_CERT_DIR: join(dir, 'none') });
      expect(untrusted.code).toBe(3);
      expect(untrusted.stderr).toMatch(/^error: cannot reach https:\/\/127\.0\.0\.1:\d+ through the proxy https:\/\/127\.0\.0\.1:\d+ \(proxy-url of the cluster\): TLS error with the proxy: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); its certificate is checked against the machine's trust store \(SSL_CERT_FILE, SSL_CERT_DIR\)\n$/);
    } finally {
      await proxy.close();
    }
  });

  it('and one in a folder named by SSL_CERT_DIR', async () => {
    const result = await version(kubeconfig(plainUrl, ['tls-server-name: api.internal']), { SSL_CERT_FILE: file('other-ca.pem'), SSL_CERT_DIR: file('certs') });
    expect(result.stdout).toMatch(/Server Version: v9\.9\.9-tls-test/);
  });

  it('a CA in neither is an unknown authority: one line naming the ways out', async () => {
    const result = await version(kubeconfig(plainUrl, ['tls-server-name: api.internal']), { SSL_CERT_FILE: file('other-ca.pem'), SSL_CERT_DIR: join(dir, 'none') });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: TLS error talking to the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+: the server's certificate is signed by an unknown authority: set the cluster's certificate-authority\(-data\) in the kubeconfig or pass --certificate-authority .*SSL_CERT_FILE.*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\n$/);
  });
});

describe('each TLS failure kind has its own line', () => {
  it('a host name the certificate does not hold names tls-server-name; --tls-server-name fixes it', async () => {
    const config = kubeconfig(plainUrl, [`certificate-authority: ${file('server-ca.pem')}`]);
    const result = await version(config);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: TLS error talking to .*: the server's certificate is not valid for this host name; set tls-server-name of the cluster in the kubeconfig \(or --tls-server-name\) to a name the certificate holds \(ERR_TLS_CERT_ALTNAME_INVALID\)\n$/);
    const fixed = await cli(['version', '--client=false', '--kubeconfig', config, '--tls-server-name', 'api.internal']);
    expect(fixed.stdout).toMatch(/Server Version: v9\.9\.9-tls-test/);
  });

  it('a client certificate refused in the handshake (an mTLS front: openssl s_server -Verify -verify_return_error) names client-certificate and client-key', async () => {
    const port = await freePort();
    const server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', 'server.pem', '-key', 'server.key', '-CAfile', 'client-ca.pem', '-Verify', '1', '-verify_return_error', '-www'], { cwd: dir, stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ACCEPT') && resolve());
        server.on('exit', () => reject(new Error('openssl s_server exited')));
      });
      const ca = [`certificate-authority: ${file('server-ca.pem')}`, 'tls-server-name: api.internal'];
      const result = await version(kubeconfig(`https://127.0.0.1:${port}`, ca, [`client-certificate: ${file('intruder.pem')}`, `client-key: ${file('intruder.key')}`]));
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/^error: TLS error talking to .*: the server rejected the client certificate \(TLS alert: [a-z ]+\): check client-certificate and client-key of the kubeconfig user \(or --client-certificate and --client-key\) \(ERR_SSL_\w+\)\n$/);
    } finally {
      server.kill();
    }
  });
});
