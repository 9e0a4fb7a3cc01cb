/**
 * What one HTTP exchange with Segura produced, before classification. Internal to
 * pam-core: no HTTP client type (axios, undici) crosses this line.
 */
export type TransportFailure =
  /** Nothing was written: connection refused, DNS failure, connect timeout. Safe to repeat. */
  | 'not-sent'
  /** TLS handshake failed (untrusted or mismatched certificate): nothing was written. */
  | 'tls'
  /** No (complete) answer within the timeout after the request may have been written. */
  | 'timeout'
  /** The connection was reset or closed after the request was written. */
  | 'reset'
  /** The peer answered something that is not HTTP. */
  | 'protocol'
  /** Anything else the HTTP client reported. */
  | 'other';

export interface UpstreamResponse {
  kind: 'response';
  status: number;
  contentType?: string;
  /** Body as text; empty when `complete` is false because it was too large, or read as bytes. */
  bodyText: string;
  /** The body's bytes, undecoded, when the request asked for them (a list, for its thread). */
  bodyBytes?: Buffer;
  /** False when the body was cut off (connection closed mid-body or over the size limit). */
  complete: boolean;
  /** The Retry-After header as sent (read for Segura's 429). */
  retryAfter?: string;
  durationMs: number;
}

export interface UpstreamTransportFailure {
  kind: 'transport';
  failure: TransportFailure;
  /** Set when headers had arrived before the failure. */
  status?: number;
  durationMs: number;
}

export type UpstreamAnswer = UpstreamResponse | UpstreamTransportFailure;
