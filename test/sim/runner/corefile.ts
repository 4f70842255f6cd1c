// The copy of a Corefile a CoreDNS process gets: every server block bound to the pod's
// own address (`bind`), and health, ready and prometheus listening there too, so that
// several CoreDNS pods run side by side on one machine. The ConfigMap is never changed;
// everything else in the Corefile (including mistakes CoreDNS rejects) passes through.

const defaultPorts: Record<string, number> = { health: 8080, ready: 8181, prometheus: 9153 };

export function bindCorefile(corefile: string, address: string): string {
  let depth = 0;
  const out: string[] = [];
  for (const line of corefile.split('\n')) {
    const code = line.replace(/#.*/, '');
    const words = code.trim().split(/\s+/).filter(Boolean);
    const opens = (code.match(/{/g) ?? []).length;
    const closes = (code.match(/}/g) ?? []).length;
    if (depth === 1 && words[0] === 'bind') {
      // The pod's own address replaces any written one.
      depth += opens - closes;
      continue;
    }
    if (depth === 1 && words[0] && words[0] in defaultPorts) {
      out.push(rewriteListener(line, words, address));
    } else out.push(line);
    if (depth === 0 && opens > closes) out.push(`    bind ${address}`);
    depth += opens - closes;
  }
  return out.join('\n');
}

/** `health`, `health :8080 {`, `prometheus localhost:9153` → the same at `<address>:<port>`. */
function rewriteListener(line: string, words: string[], address: string): string {
  const [plugin, maybeAddress] = words as [string, string | undefined];
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const hasAddress = maybeAddress !== undefined && maybeAddress !== '{';
  const port = hasAddress ? Number(/:(\d+)$/.exec(maybeAddress)?.[1] ?? defaultPorts[plugin]) : defaultPorts[plugin];
  const rest = words.slice(hasAddress ? 2 : 1);
  return `${indent}${[plugin, `${address}:${port}`, ...rest].join(' ')}`;
}
