// Item 6: size of the executable and of the release archives in dist/ (as found at the start of the run).
import type { Context } from './lib/context.ts';
import { table } from './lib/stats.ts';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB (${(bytes / 2 ** 20).toFixed(1)} MiB)`;
const when = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;

export function benchSize(context: Context): string {
  const rows: string[][] = [['`dist/kubectl-kapsule_ha` (executable)', mb(context.dist.binaryBytes), when(context.dist.builtAt), '']];
  for (const { name, bytes, builtAt } of context.dist.archives) {
    rows.push([`\`dist/${name}\` (archive)`, mb(bytes), when(builtAt), context.target(`6. archive ${name}`, mb(bytes), '≤ 45 MB', bytes <= 45e6)]);
  }
  if (context.dist.archives.length === 0) rows.push(['archive', 'missing: run npm run build', '', '']);
  return ['## 6. Sizes', '', 'Archives of other platforms are those of the last `npm run build -- --all` (see when each was built).', '', table(['file', 'size', 'built', 'target'], rows), ''].join('\n');
}
