// Which certificate authorities a server certificate is checked against when the
// kubeconfig names none: the machine's trust store, as kubectl (Go's crypto/x509) reads
// it, never the Mozilla roots bundled in Node. On Linux Go reads SSL_CERT_FILE (else the
// first of the distributions' bundle files) and every file of SSL_CERT_DIR (else
// /etc/ssl/certs, /etc/pki/tls/certs); elsewhere the system store, unless those are set.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';

const LINUX_FILES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Gentoo, Arch
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL 6
  '/etc/ssl/ca-bundle.pem', // OpenSUSE
  '/etc/pki/tls/cacert.pem', // OpenELEC
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // CentOS, RHEL 7
  '/etc/ssl/cert.pem', // Alpine
];
const LINUX_DIRS = ['/etc/ssl/certs', '/etc/pki/tls/certs'];

/** By SSL_CERT_FILE and SSL_CERT_DIR (tests run several in one process). */
const cache = new Map<string, string[]>();

/** PEM certificates of the machine's trust store (read once per process). */
export function systemCertificates(env: Readonly<Record<string, string | undefined>>): string[] {
  const file = env.SSL_CERT_FILE;
  const dirs = env.SSL_CERT_DIR;
  const key = `${file ?? ''}\0${dirs ?? ''}`;
  let certificates = cache.get(key);
  if (!certificates) {
    certificates = read(file, dirs);
    cache.set(key, certificates);
  }
  return certificates;
}

function read(file: string | undefined, dirs: string | undefined): string[] {
  if (process.platform !== 'linux' && !file && !dirs) return tls.getCACertificates('system');
  const pems: string[] = [];
  for (const candidate of file ? [file] : LINUX_FILES) {
    const text = readText(candidate);
    if (text !== undefined) {
      pems.push(text);
      break; // Go reads the first bundle it finds
    }
  }
  for (const dir of dirs ? dirs.split(':').filter(Boolean) : LINUX_DIRS) {
    for (const name of listDir(dir)) {
      const text = readText(join(dir, name));
      if (text?.includes('-----BEGIN CERTIFICATE-----')) pems.push(text);
    }
  }
  return pems.length > 0 || process.platform !== 'linux' ? [...new Set(pems)] : tls.getCACertificates('system');
}

function readText(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
