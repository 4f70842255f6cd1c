// Item 6: size of the executable and of the release archive in dist/ (as found at the start of the run).
import type { Context } from './lib/context.ts';
import { table } from './lib/stats.ts';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB (${(bytes / 2 ** 20).toFixed(1)} MiB)`;

export function benchSize(context: Context): string {
  const rows: string[][] = [['`dist/kubectl-kapsule_ha` (executable)', mb(context.dist.binaryBytes), '']];
  for (const { name, bytes } of context.dist.archives) rows.push([`\`dist/${name}\` (archive)`, mb(bytes), context.target(`6. archive ${name}`, mb(bytes), '≤ 45 MB', bytes <= 45e6)]);
  if (context.dist.archives.length === 0) rows.push(['archive', 'missing: run npm run build', '']);
  return ['## 6. Sizes', '', table(['file', 'size', 'target'], rows), ''].join('\n');
}
