// Release archives that are byte-for-byte reproducible on any OS: a tar written here
// (sorted entries, mtime 0, owner 0, fixed modes), gzip without name or timestamp.
// Plus the .sha256 file and dist/plugin.yaml.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface ArchiveEntry {
  /** Name inside the archive (at its root). */
  name: string;
  /** File to read. */
  source: string;
  executable: boolean;
}

/** Writes output (.tar.gz) and output.sha256; returns the sha256. */
export function makeTarGz(entries: ArchiveEntry[], output: string): string {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : 1));
  const blocks = sorted.flatMap((entry) => {
    const data = readFileSync(entry.source);
    return [tarHeader(entry.name, data.length, entry.executable ? 0o755 : 0o644), data, Buffer.alloc((512 - (data.length % 512)) % 512)];
  });
  const tar = Buffer.concat([...blocks, Buffer.alloc(1024)]);
  writeFileSync(output, gzipSync(tar, { level: 9 }));
  const sha256 = sha256Of(output);
  writeFileSync(`${output}.sha256`, `${sha256}  ${output.split('/').pop()}\n`);
  return sha256;
}

/** A ustar header for a regular file, everything but name, size and mode fixed. */
function tarHeader(name: string, size: number, mode: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`archive entry name too long: ${name}`);
  const header = Buffer.alloc(512);
  const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, '0')}\0`;
  header.write(name, 0, 100, 'utf8');
  header.write(octal(mode, 8), 100);
  header.write(octal(0, 8), 108); // uid
  header.write(octal(0, 8), 116); // gid
  header.write(octal(size, 12), 124);
  header.write(octal(0, 12), 136); // mtime: 1970
  header.write(' '.repeat(8), 148); // checksum placeholder
  header.write('0', 156); // regular file
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.write('root', 265);
  header.write('root', 297);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * dist/plugin.yaml from plugin.yaml: each platform's `sha256` placeholder becomes the
 * real digest of the archive it names; platforms not built are left out.
 */
export function renderPluginManifest(template: string, digests: Record<string, string>): string {
  const [head = '', ...platforms] = template.split(/(?=^ {2}- selector:)/m);
  const kept = platforms.flatMap((block) => {
    const archive = /uri: \S+\/(kubectl-kapsule_ha_[a-z0-9_]+\.tar\.gz)/.exec(block)?.[1];
    const digest = archive ? digests[archive] : undefined;
    return digest ? [block.replace(/sha256: \S+/, `sha256: ${digest}`)] : [];
  });
  return head + kept.join('');
}
