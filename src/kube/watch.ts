// A watch stream: newline-delimited JSON events, delivered as they arrive, until the
// caller aborts. Not retried here: a watcher decides itself how to resume.
import { apiErrorFrom, connectionErrorFrom, KubeApiError } from './errors.ts';
import { collectionPath, resourceName } from './resources.ts';
import type { Transport } from './transport.ts';
import type { ListOptions, WatchEvent } from './types.ts';

export interface WatchRequest {
  apiVersion: string;
  kind: string;
  options: ListOptions & { resourceVersion?: string };
}

export async function watchCollection(transport: Transport, watch: WatchRequest, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
  const { apiVersion, kind, options } = watch;
  const query = new URLSearchParams({ watch: '1', allowWatchBookmarks: 'true' });
  for (const [key, value] of Object.entries({ labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, resourceVersion: options.resourceVersion })) {
    if (value) query.set(key, value);
  }
  const path = `${collectionPath(apiVersion, kind, options.namespace)}?${query.toString()}`;
  let pending = '';
  const deliver = (chunk: string) => {
    pending += chunk;
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) onEvent(parseWatchEvent(line, apiVersion, kind));
    }
  };
  try {
    const response = await transport.request({ method: 'GET', path, headers: { Accept: 'application/json' }, signal }, deliver);
    if (response.status !== 200) {
      throw apiErrorFrom(response.status, response.body, { server: transport.server, verb: 'watch', resource: resourceName(apiVersion, kind), namespace: options.namespace });
    }
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof KubeApiError) throw error;
    throw connectionErrorFrom(error as NodeJS.ErrnoException, transport.server);
  }
}

/** Objects in events lack apiVersion and kind on some servers; ERROR events carry a Status. */
function parseWatchEvent(line: string, apiVersion: string, kind: string): WatchEvent {
  const event = JSON.parse(line) as WatchEvent;
  if (event.type !== 'ERROR') event.object = { ...event.object, apiVersion, kind };
  return event;
}
