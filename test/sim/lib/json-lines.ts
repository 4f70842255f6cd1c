// A watch answers one JSON object per line, split across chunks as the network pleases:
// the one reader of that framing for the simulator's runner, probes and watchers.
import type { IncomingMessage } from 'node:http';

/** Calls `onObject` with each JSON line of `response`, blank lines skipped; stops once the stream is destroyed. */
export function onJsonLines(response: IncomingMessage, onObject: (object: any) => void): void {
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    for (let newline = buffer.indexOf('\n'); newline >= 0 && !response.destroyed; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) onObject(JSON.parse(line));
    }
  });
}
