/**
 * The gateway's closed error taxonomy (docs/errors.md). Every failure a caller
 * can see has exactly one of these codes, in both channels.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'SESSION_NOT_FOUND',
  'TERMINATION_FAILED',
  'UPSTREAM_AUTH_FAILED',
  'UPSTREAM_FORBIDDEN',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_ERROR',
  'RATE_LIMITED',
  'AUDIT_UNAVAILABLE',
  'IDEMPOTENCY_KEY_REUSED',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'NOT_FOUND',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status per code: the REST mapping, checked exhaustive by the compiler. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'BAD_USER_INPUT':
      return 400;
    case 'SESSION_NOT_FOUND':
      return 404;
    case 'TERMINATION_FAILED':
      return 409;
    case 'UPSTREAM_AUTH_FAILED':
    case 'UPSTREAM_FORBIDDEN':
    case 'UPSTREAM_ERROR':
      return 502;
    case 'UPSTREAM_TIMEOUT':
      return 504;
    case 'UPSTREAM_UNAVAILABLE':
    case 'AUDIT_UNAVAILABLE':
      return 503;
    case 'RATE_LIMITED':
      return 429;
    case 'IDEMPOTENCY_KEY_REUSED':
      return 422;
    case 'REQUEST_TIMEOUT':
      return 408;
    case 'HEADERS_TOO_LARGE':
      return 431;
    case 'NOT_FOUND':
      return 404;
    case 'INTERNAL':
      return 500;
  }
}

/** Short human title per code, used as the RFC 9457 `title`. */
export function titleFor(code: ErrorCode): string {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 'Authentication required';
    case 'FORBIDDEN':
      return 'Forbidden';
    case 'BAD_USER_INPUT':
      return 'Invalid input';
    case 'SESSION_NOT_FOUND':
      return 'Session not found';
    case 'TERMINATION_FAILED':
      return 'Termination failed';
    case 'UPSTREAM_AUTH_FAILED':
      return 'PAM Core rejected the gateway credentials';
    case 'UPSTREAM_FORBIDDEN':
      return 'PAM Core denied the gateway access';
    case 'UPSTREAM_TIMEOUT':
      return 'PAM Core did not answer in time';
    case 'UPSTREAM_UNAVAILABLE':
      return 'PAM Core unavailable';
    case 'UPSTREAM_ERROR':
      return 'PAM Core error';
    case 'RATE_LIMITED':
      return 'Too many requests';
    case 'AUDIT_UNAVAILABLE':
      return 'Audit log unavailable';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'Idempotency key reused with a different request';
    case 'REQUEST_TIMEOUT':
      return 'Request not received in time';
    case 'HEADERS_TOO_LARGE':
      return 'Request headers too large';
    case 'NOT_FOUND':
      return 'No such route';
    case 'INTERNAL':
      return 'Internal error';
  }
}
