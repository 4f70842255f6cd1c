// A small JSON client for the simulator's API server (node:https, bearer token). The
// simulator stands alone: it does not use the product's Kubernetes access layer.
import https from 'node:https';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(method: string, path: string, status: number, body: unknown) {
    const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : JSON.stringify(body);
    super(`${method} ${path}: ${status} ${message}`);
    this.status = status;
    this.body = body;
  }
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  /** Statuses that are answers, not errors (e.g. 404 when probing, 409 when creating). */
  accept?: number[];
  timeoutMs?: number;
}

export class Api {
  readonly server: string;
  private readonly agent: https.Agent;
  private readonly token: string;
  private readonly userAgent: string;

  constructor(server: string, ca: Buffer, token: string, userAgent = 'kapsule-ha-sim') {
    this.server = server;
    this.token = token;
    this.userAgent = userAgent;
    // Many sockets: creating a thousand nodes goes as fast as the server allows.
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca });
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const url = new URL(path, this.server);
    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            'User-Agent': this.userAgent,
            // An explicit length, not chunked: Go's server answered 400 to requests that
            // followed a chunked DELETE body on a kept-alive connection.
            ...(payload === undefined ? {} : { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }),
          },
          timeout: options.timeoutMs ?? 30_000,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          incoming.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path}: no answer within ${options.timeoutMs ?? 30_000}ms`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
    const body = parse(response.text);
    const ok = (response.status >= 200 && response.status < 300) || options.accept?.includes(response.status);
    if (!ok) throw new ApiError(method, path, response.status, body);
    return { status: response.status, body: body as T };
  }

  get<T = any>(path: string, accept?: number[]): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, accept ? { accept } : {});
  }

  /** The items of a list, all pages. */
  async list<T = any>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next = '';
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await this.get<{ items: T[]; metadata: { continue?: string } }>(`${path}${separator}limit=500${next ? `&continue=${encodeURIComponent(next)}` : ''}`);
      items.push(...page.body.items);
      next = page.body.metadata.continue ?? '';
    } while (next);
    return items;
  }

  close(): void {
    this.agent.destroy();
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
