/** The API's error codes (docs/errors.md), each with a sentence saying what to do. */
const SENTENCES: Record<string, string> = {
  UNAUTHENTICATED: 'Your sign-in is no longer valid. Sign in again.',
  FORBIDDEN: 'You may not do this. Ask for the role that allows it.',
  BAD_USER_INPUT: 'The request was not valid. Correct the highlighted value and try again.',
  SESSION_NOT_FOUND: 'Segura does not know this session. Refresh the list.',
  TERMINATION_FAILED:
    'Segura refused to end the session. Refresh and try again, or end it in Segura.',
  UPSTREAM_AUTH_FAILED: 'The gateway cannot sign in to Segura. Tell the gateway operators.',
  UPSTREAM_FORBIDDEN: "Segura refused the gateway's access. Tell the gateway operators.",
  UPSTREAM_TIMEOUT:
    'Segura did not answer in time; the outcome is unknown. Check the session before retrying.',
  UPSTREAM_UNAVAILABLE: 'Segura cannot be reached right now. Try again in a moment.',
  UPSTREAM_ERROR: 'Segura answered with an error. Try again; if it persists, check Segura.',
  RATE_LIMITED: 'Too many requests. Wait a moment and try again.',
  AUDIT_UNAVAILABLE: 'The audit log cannot be written, so nothing was done. Try again later.',
  IDEMPOTENCY_KEY_REUSED: 'This request is still running or was different. Wait, then refresh.',
  NOT_FOUND: 'Not found.',
  INTERNAL: 'The gateway failed unexpectedly. Try again; quote the request id if it persists.',
  NETWORK: 'The gateway cannot be reached. Check your connection and try again.',
};

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly field?: string,
  ) {
    super(message);
  }

  /** What to do, in plain words. */
  get advice(): string {
    return SENTENCES[this.code] ?? 'Something went wrong. Try again.';
  }
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('NETWORK', err instanceof Error ? err.message : String(err));
}
