// What the transport is asked and what it answers, shared by HTTP/1.1 and HTTP/2.
import type { IncomingHttpHeaders } from 'node:http';

/** Request headers; a list is sent as the same header repeated (Impersonate-Group). */
export type Headers = Record<string, string | string[]>;

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. /api/v1/namespaces/kube-system/pods?limit=500 */
  path: string;
  headers?: Headers;
  body?: string;
  /** Deadline (epoch ms) after which the request is abandoned; undefined: none. */
  deadline?: number | undefined;
  /** How the deadline is named in the error, e.g. "2s (--request-timeout)". */
  deadlineLabel?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}
