// A list, then a watch from its resourceVersion, resumed where it was when the API server
// ends it (after minutes): how the probes follow the objects they judge the cluster by.
// The first error is kept, never thrown: a probe that lost sight of its objects proves
// nothing, and says so when it stops.
import https from 'node:https';
import { onJsonLines } from './json-lines.ts';

export interface ListWatchOptions {
  server: string;
  ca: Buffer;
  headers: Record<string, string>;
  /** A collection path with its query (`...?labelSelector=...`). */
  path: string;
  /** What is listed, for the error line ("kube-dns's EndpointSlices"). */
  what: string;
  /** Each object of the list, then each change the watch reports. */
  onObject(object: any, deleted: boolean): void;
}

export interface ListWatch {
  /** The list's items, as first read. */
  readonly listed: any[];
  /** The first error seen (a refused watch, an ERROR event, a lost connection). */
  error(): string | undefined;
  stop(): void;
}

export async function listWatch(options: ListWatchOptions): Promise<ListWatch> {
  const get = (path: string) => https.get(new URL(path, options.server), { ca: options.ca, headers: options.headers });
  const list = await new Promise<any>((resolve, reject) => {
    get(options.path)
      .on('response', (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`listing ${options.what}: ${response.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
  for (const object of list.items) options.onObject(object, false);
  let resourceVersion: string = list.metadata.resourceVersion;
  let error: string | undefined;
  let stopped = false;
  let request: ReturnType<typeof https.get> | undefined;
  const watch = () => {
    request = get(`${options.path}&watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}`);
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        error ??= `watch answered ${response.statusCode}`;
        response.resume();
        return;
      }
      onJsonLines(response, (event) => {
        if (event.type === 'ERROR') {
          error ??= `watch event ERROR: ${event.object?.message ?? JSON.stringify(event.object)}`;
          return;
        }
        resourceVersion = event.object.metadata.resourceVersion;
        if (event.type !== 'BOOKMARK') options.onObject(event.object, event.type === 'DELETED');
      });
      response.on('end', () => {
        if (!stopped && !error) watch();
      });
    });
    request.on('error', (cause) => {
      if (!stopped) error ??= `watch connection failed: ${cause.message}`;
    });
  };
  watch();
  return {
    listed: list.items,
    error: () => error,
    stop() {
      stopped = true;
      request?.destroy();
    },
  };
}
