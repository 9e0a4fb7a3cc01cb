import { ErrorCode } from './error-code';

/** What Segura answered, cleaned: never its raw body. */
export interface UpstreamFacts {
  /** HTTP status Segura (or the layer in front of it) answered; absent when none came. */
  status?: number;
  /** Short, cleaned English message (at most 200 printable characters). */
  message?: string;
  durationMs?: number;
}

export interface GatewayErrorOptions {
  /** Caller-safe detail; must never contain a secret, token or raw upstream body. */
  detail?: string;
  /** Input field at fault, for BAD_USER_INPUT. */
  field?: string;
  upstream?: UpstreamFacts;
  /** Seconds for a Retry-After header (RATE_LIMITED, UPSTREAM_UNAVAILABLE). */
  retryAfterSeconds?: number;
  /** True when a request may have reached Segura and its effect is unknown (timeouts, resets). */
  outcomeUnknown?: boolean;
  cause?: unknown;
}

/** The one error type that crosses module boundaries; channels map it by `code`. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly field?: string;
  readonly upstream?: UpstreamFacts;
  readonly retryAfterSeconds?: number;
  readonly outcomeUnknown: boolean;

  constructor(code: ErrorCode, message: string, opts: GatewayErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.detail = opts.detail;
    this.field = opts.field;
    this.upstream = opts.upstream;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.outcomeUnknown = opts.outcomeUnknown ?? false;
  }
}
