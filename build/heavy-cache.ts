// Makes the V8 code cache of heavy.cjs with the very Node binary the executable is made
// from (the pinned runtime running this build). Run as a child process so that no build
// tooling (esbuild, flags) is in the V8 heap or flags when the cache is made.
import { readFileSync, writeFileSync } from 'node:fs';
import { heavyScript } from './heavy-loader.ts';

const [source, output] = process.argv.slice(2);
if (!source || !output) throw new Error('usage: heavy-cache.ts <heavy.cjs> <heavy.cache>');
const script = heavyScript(readFileSync(source, 'utf8'), source);
writeFileSync(output, script.createCachedData());
