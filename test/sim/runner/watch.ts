// List then watch a collection, re-listing when the watch ends or its resourceVersion
// is too old: the runner's only way of hearing about pods and ConfigMaps (one request
// open each, instead of polling that would fill the audit log).
import https from 'node:https';
import { onJsonLines } from '../lib/json-lines.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from '../lib/api.ts';

export type WatchEvent<T> = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T };

export interface Connection {
  server: string;
  ca: Buffer;
  token: string;
}

/** Calls `onSync` with every object at each (re)list, then `onEvent` for each change, until `signal` aborts. */
export async function listAndWatch<T extends { metadata: { resourceVersion?: string } }>(api: Api, connection: Connection, path: string, handlers: { onSync: (items: T[]) => void; onEvent: (event: WatchEvent<T>) => void }, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const { body } = await api.get<{ items: T[]; metadata: { resourceVersion: string } }>(path);
      handlers.onSync(body.items);
      await watchFrom(connection, path, body.metadata.resourceVersion, handlers.onEvent, signal);
    } catch (error) {
      if (signal.aborted) return;
      process.stderr.write(`watch ${path}: ${(error as Error).message}; listing again\n`);
      await sleep(1000);
    }
  }
}

function watchFrom<T>(connection: Connection, path: string, resourceVersion: string, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
  const separator = path.includes('?') ? '&' : '?';
  const url = new URL(`${path}${separator}watch=1&allowWatchBookmarks=false&resourceVersion=${resourceVersion}&timeoutSeconds=300`, connection.server);
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca: connection.ca, headers: { Authorization: `Bearer ${connection.token}`, 'User-Agent': 'sim-runner' }, signal }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`watch answered ${response.statusCode}`));
        return;
      }
      onJsonLines(response, (event: { type: string; object: any }) => {
        // ERROR (e.g. 410 Gone: resourceVersion too old): list again.
        if (event.type === 'ERROR') return void response.destroy(new Error(`watch error: ${event.object?.message ?? 'unknown'}`));
        if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') onEvent(event as WatchEvent<T>);
      });
      response.on('end', resolve);
      response.on('error', reject);
    });
    request.on('error', (error) => (signal.aborted ? resolve() : reject(error)));
  });
}
