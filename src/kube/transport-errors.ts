// What happened to a request, in one place: every failure of the transport (HTTP/1.1,
// HTTP/2, connecting, a proxy tunnel) is a Node-style error with a code, and
// `failureOf` says what it means for sending the request again. The messages a person
// reads are made from these codes in errors.ts.
import http2, { type ClientHttp2Stream } from 'node:http2';

/** The request went past its own deadline (--request-timeout). */
export const TIMEOUT_CODE = 'KAPSULE_HA_TIMEOUT';
export const ABORT_CODE = 'ABORT_ERR';
/** The server did not do its part within a limit of ours (connect, TLS, HTTP/2 preface, answer); the message says what. */
export const NO_ANSWER_CODE = 'KAPSULE_HA_NO_ANSWER';
/** A session that had answered stopped answering (an unanswered PING): session-health.ts. */
export const SESSION_DEAD_CODE = 'KAPSULE_HA_SESSION_DEAD';

export interface TransportError extends NodeJS.ErrnoException {
  /** The server surely never saw the request: a refused stream, one past a GOAWAY, a stale kept-alive socket. */
  unsent?: boolean;
  /** It failed while connecting (TCP, proxy tunnel, TLS): the request was never written. */
  connecting?: boolean;
}

/** What a failure means for trying again (retry.ts decides what to do about it). */
export type FailureKind =
  /** Never reached the server (see `unsent`): send it again as it is. */
  | 'unsent'
  /** The server or the path to it said nothing within our limit. */
  | 'silent'
  /** The connection broke (reset, closed, refused, a lost session): the server may have acted unless `connecting`. */
  | 'reset'
  /** Its own deadline (--request-timeout). */
  | 'deadline'
  | 'aborted'
  /** An answer no retry changes: a TLS error, a name that does not resolve, a proxy's refusal. */
  | 'fatal';

export interface Failure {
  kind: FailureKind;
  /** The request was never written (failed while connecting). */
  connecting: boolean;
}

const RESET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

export function failureOf(error: TransportError): Failure {
  const code = error.code;
  const connecting = error.connecting === true || code === 'ECONNREFUSED' || code === 'EAI_AGAIN';
  const kind: FailureKind =
    error.name === 'AbortError' || code === ABORT_CODE ? 'aborted'
    : code === TIMEOUT_CODE ? 'deadline'
    : error.unsent === true ? 'unsent'
    : code === NO_ANSWER_CODE || code === SESSION_DEAD_CODE ? 'silent'
    : code !== undefined && RESET_CODES.has(code) ? 'reset'
    : 'fatal';
  return { kind, connecting };
}

export function timeoutError(label: string): TransportError {
  return Object.assign(new Error(label), { code: TIMEOUT_CODE });
}

export function abortError(message = 'the request was aborted'): TransportError {
  return Object.assign(new Error(message), { code: ABORT_CODE, name: 'AbortError' });
}

/** `message` says what the server did not do, e.g. "did not complete the TLS handshake within 10s". */
export function noAnswerError(message: string, connecting: boolean): TransportError {
  return Object.assign(new Error(message), { code: NO_ANSWER_CODE, connecting });
}

/** A reset the server never saw the request of (Node's retry case for a stale kept-alive socket). */
export function unsentError(message: string, cause?: unknown): TransportError {
  return Object.assign(new Error(message), { code: 'ECONNRESET', unsent: true, cause });
}

/** Marks a failure to connect: the request was never written. */
export function whileConnecting(error: Error): TransportError {
  return Object.assign(error, { connecting: true });
}

/**
 * A failed HTTP/2 stream as a transport error: a stream the server refused
 * (REFUSED_STREAM, or beyond a GOAWAY's last stream) never reached it; any other
 * session failure is a reset connection.
 */
export function streamError(error: NodeJS.ErrnoException, stream: ClientHttp2Stream): TransportError {
  if (error.name === 'AbortError' || error.code === ABORT_CODE) return error;
  if (error.code && !error.code.startsWith('ERR_HTTP2')) return error; // ours, ECONNRESET, EPIPE, TLS...
  const message = `${error.message} (${error.code})`;
  if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM || error.code === 'ERR_HTTP2_GOAWAY_SESSION') return unsentError(message, error);
  return Object.assign(new Error(message), { code: 'ECONNRESET', cause: error });
}

export const isTlsAlert = (error: Error): boolean => /^ERR_SSL_/.test((error as NodeJS.ErrnoException).code ?? '');

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
