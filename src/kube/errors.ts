// API and connection failures as messages a person can act on. The Status body the API
// server sends is parsed; what it lacks is filled in from the request we made.
import { ExitCodeError, EXIT, UsageError } from './exit-codes.ts';
import { NO_ANSWER_CODE, SESSION_DEAD_CODE, TIMEOUT_CODE } from './transport-errors.ts';

/** What was asked, to explain a failure (never contains credentials). */
export interface RequestDescription {
  server: string;
  /** Kubernetes verb: get, list, watch, create, patch, delete. */
  verb: string;
  /** Resource as kubectl names it: deployments.apps, pods/eviction, configmaps. */
  resource: string;
  name?: string | undefined;
  namespace?: string | undefined;
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
  details?: { causes?: StatusCause[] };
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A response with an error status; `reason` is the Status reason (Forbidden, NotFound, AlreadyExists...). */
export class KubeApiError extends ExitCodeError {
  readonly status: number;
  readonly reason: string;
  readonly causes: StatusCause[];
  constructor(status: number, reason: string, message: string, causes: StatusCause[] = []) {
    super(`Error from server (${reason}): ${message}`, EXIT.failure);
    this.status = status;
    this.reason = reason;
    this.causes = causes;
  }
}

/** The API server could not be reached or did not answer in time. */
export class KubeConnectionError extends ExitCodeError {
  readonly code: string;
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, EXIT.failure, options);
    this.code = code;
  }
}

/** The kubeconfig cannot be read or does not have what the flags ask for (exit 2). */
export class KubeconfigError extends UsageError {}

export function apiErrorFrom(status: number, body: string, request: RequestDescription): KubeApiError {
  const parsed = parseStatus(body);
  const reason = parsed?.reason || REASONS[status] || `HTTP ${status}`;
  const causes = parsed?.details?.causes ?? [];
  let message = parsed?.message || fallbackMessage(status, body, request);
  // The server says only "Unauthorized": say whose credentials and what to check.
  if (status === 401 && /^unauthorized$/i.test(message.trim())) message = fallbackMessage(status, body, request);
  if (status === 403 && !/cannot \S+ resource/.test(message)) {
    message += ` (cannot ${request.verb} ${request.resource}${where(request)})`;
  }
  const unmentioned = causes.filter((cause) => cause.message && !message.includes(cause.message));
  if (unmentioned.length > 0) {
    message += `: ${unmentioned.map((cause) => (cause.field ? `${cause.field}: ${cause.message}` : cause.message)).join('; ')}`;
  }
  return new KubeApiError(status, reason, message, causes);
}

function parseStatus(body: string): StatusBody | undefined {
  try {
    const value = JSON.parse(body) as StatusBody;
    return value && typeof value === 'object' && value.kind === 'Status' ? value : undefined;
  } catch {
    return undefined;
  }
}

function fallbackMessage(status: number, body: string, request: RequestDescription): string {
  const object = request.name ? `${request.resource} "${request.name}"` : request.resource;
  switch (status) {
    case 401:
      return `the server ${request.server} rejected the credentials of the kubeconfig user (expired token or certificate?)`;
    case 403:
      return `${object} is forbidden`;
    case 404:
      return `${object} not found${where(request)}`;
    case 409:
      return `conflict on ${object}${where(request)}: it changed meanwhile, try again`;
    default: {
      const text = body.trim().slice(0, 200);
      return `the server ${request.server} answered ${status} to ${request.verb} ${object}${text ? `: ${text}` : ''}`;
    }
  }
}

function where(request: RequestDescription): string {
  return request.namespace ? ` in the namespace "${request.namespace}"` : '';
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|EPROTO$|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|ERR_OSSL_)/;

/** Node's network errors (and our timeout) named after the server, or the proxy, they concern. */
export function connectionErrorFrom(error: NodeJS.ErrnoException & { proxy?: string }, server: string): KubeConnectionError {
  const code = error.code ?? 'UNKNOWN';
  if (error.proxy && code !== TIMEOUT_CODE && code !== NO_ANSWER_CODE) {
    return new KubeConnectionError(`cannot reach ${server} through the proxy ${error.proxy}: ${proxyReason(error)}`, code, { cause: error });
  }
  const at = `the Kubernetes API server at ${server}`;
  const messages: Record<string, string> = {
    ECONNREFUSED: `cannot connect to ${at}: connection refused (is the cluster running, is the context right?)`,
    ENOTFOUND: `cannot resolve the host of ${at} (ENOTFOUND)`,
    EAI_AGAIN: `cannot resolve the host of ${at} (EAI_AGAIN: DNS lookup failed)`,
    ECONNRESET: `the connection to ${at} was reset`,
    EPIPE: `the connection to ${at} was closed`,
    EHOSTUNREACH: `cannot reach ${at}: host unreachable`,
    ENETUNREACH: `cannot reach ${at}: network unreachable`,
    ETIMEDOUT: `cannot connect to ${at}: connection timed out`,
    [SESSION_DEAD_CODE]: `${at} stopped answering: ${error.message}`,
    // "did not complete the TLS handshake within 10s", "accepted TLS but sent no HTTP/2 SETTINGS frame…"
    [NO_ANSWER_CODE]: `${at} ${error.message}${error.proxy ? ` (through the proxy ${error.proxy})` : ''}`,
  };
  const message =
    messages[code] ??
    (code === TIMEOUT_CODE
      ? `${at} did not answer within ${error.message}${error.proxy ? ` (through the proxy ${error.proxy})` : ''}`
      : TLS_CODES.test(code)
        ? `TLS error talking to ${at}: ${tlsAdvice(code, withoutNodeAdvice(error.message))} (${code})`
        : `cannot reach ${at}: ${error.message} (${code})`);
  return new KubeConnectionError(message, code, { cause: error });
}

// What went wrong in TLS, and the way out: an unknown CA, a name mismatch and a client
// certificate the server refused have different fixes.
const UNKNOWN_CA = /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)$/;
const CLIENT_CERT_REJECTED = /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_CERTIFICATE_(EXPIRED|REVOKED|UNKNOWN|UNSUPPORTED)|TLSV1_ALERT_ACCESS_DENIED|TLSV1_ALERT_DECRYPT_ERROR)$/;

function tlsAdvice(code: string, message: string): string {
  if (UNKNOWN_CA.test(code)) {
    return `the server's certificate is signed by an unknown authority: set the cluster's certificate-authority(-data) in the kubeconfig or pass --certificate-authority (with none, the machine's trust store is used; SSL_CERT_FILE and SSL_CERT_DIR are honoured)`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `${message.replace(/\.$/, '')}: the server's certificate is not valid for this host name; set tls-server-name of the cluster in the kubeconfig (or --tls-server-name) to a name the certificate holds`;
  }
  if (CLIENT_CERT_REJECTED.test(code)) {
    const alert = code.replace(/^ERR_SSL_(TLSV13_|TLSV1_|SSLV3_)?ALERT_/, '').toLowerCase().replace(/_/g, ' ');
    return `the server rejected the client certificate (TLS alert: ${alert}): check client-certificate and client-key of the kubeconfig user (or --client-certificate and --client-key)`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the server's certificate is not valid now (${message}): check the machine's clock, or renew the server's certificate`;
  return `${message}; check the certificate-authority of the cluster in the kubeconfig`;
}

function proxyReason(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused (is the proxy running?)';
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return `cannot resolve the proxy's host (${error.code})`;
  if (TLS_CODES.test(error.code ?? '')) return `TLS error with the proxy: ${withoutNodeAdvice(error.message)} (${error.code}); its certificate is checked against the machine's trust store (SSL_CERT_FILE, SSL_CERT_DIR)`;
  return error.code && !error.message.includes(error.code) ? `${error.message} (${error.code})` : error.message;
}

/** Node's hint to run Node.js with --use-system-ca means nothing to a kubectl plugin's user. */
function withoutNodeAdvice(message: string): string {
  return message.replace(/;\s*if the root CA is installed locally.*$/s, '');
}
