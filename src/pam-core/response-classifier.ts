import { ErrorCode, GatewayError, titleFor } from '../errors';
import {
  bodyFacts,
  BodyFacts,
  JsonObject,
  normaliseForMatch,
  parseBody,
  type ParsedBody,
} from './segura-body';
import { genericMessage, relayedText } from './segura-texts';
import { parseRetryAfter } from './retry-after';
import type { TransportFailure, UpstreamAnswer, UpstreamResponse } from './upstream-answer';
import { UpstreamPauseError } from './upstream-pause';

/**
 * `unrecognised`: Segura's text when it is outside the documented set (cleaned, bounded), for
 * the debug log only; the answer carries the documented or the generic message instead.
 */
export type Classification =
  | {
      ok: true;
      status: number;
      message: string;
      body: JsonObject;
      durationMs: number;
      unrecognised?: string;
    }
  | { ok: false; error: GatewayError; unrecognised?: string };

export interface ClassifyOptions {
  /** Keys whose presence in a 2xx object counts as success when no error flag is given (token, list). */
  successKeys?: readonly string[];
  /** Message reported for a success whose envelope carries none. */
  defaultSuccessMessage?: string;
  /** The body already parsed (the list thread's, with its list emptied): not parsed again. */
  parsed?: ParsedBody;
}

interface Verdict {
  code: ErrorCode;
  outcomeUnknown?: boolean;
  field?: string;
}

/**
 * The documented texts (docs/segura.md, "The documented errors of the drop endpoint"),
 * matched on the normalised message, first match wins. Segura reports client-side problems
 * with 500 and the gateway layer uses 404 for a missing credential, so the text decides.
 */
const MESSAGE_RULES: ReadonlyArray<[RegExp, Verdict]> = [
  [/resource sub not found|\b1002\b.*not found|^session not found$/, { code: 'SESSION_NOT_FOUND' }],
  // "1003: Unexpected identifier type": Segura rejects the id itself; the caller's input is at fault.
  [/^1003\b|unexpected identifier type/, { code: 'BAD_USER_INPUT', field: 'id' }],
  [/an error occurred while drop+ing (the )?session/, { code: 'TERMINATION_FAILED' }],
  [/you are not authori[sz]ed to access this resource/, { code: 'UPSTREAM_FORBIDDEN' }],
  [/client authentication failed/, { code: 'UPSTREAM_AUTH_FAILED' }],
  [/invalid signature/, { code: 'UPSTREAM_AUTH_FAILED' }],
  // Kong's answer to a request without an Authorization header: a credential problem, not a 404.
  [/no route matched with those values/, { code: 'UPSTREAM_AUTH_FAILED' }],
  [/^request timed out$/, { code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true }],
  // Kong's own texts when Segura behind it is slow or gone.
  [/the upstream server is timing out/, { code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true }],
  [
    /failure to get a peer from the ring-balancer|name resolution failed/,
    { code: 'UPSTREAM_UNAVAILABLE' },
  ],
  [/unexpected error/, { code: 'UPSTREAM_ERROR' }],
];

const OAUTH_AUTH_ERRORS = new Set([
  'invalid_client',
  'access_denied',
  'invalid_token',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_request',
  'invalid_scope',
]);

/**
 * Retry-After for UPSTREAM_UNAVAILABLE (docs/errors.md: it always has one) when nothing better is
 * known; the circuit breaker and the bulkhead give their own.
 */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/** Builds the GatewayError for an upstream problem; `message` must be documented or generic. */
export function upstreamError(
  verdict: Verdict,
  facts: { status?: number; message?: string; durationMs: number; detail?: string },
): GatewayError {
  // Segura words an unknown session differently per endpoint ("Resource sub not found" on a
  // drop, "1002: Session not found" on a read): callers always read the gateway's one wording,
  // the title; Segura's text stays in `upstream` (the audit record).
  const relayed = verdict.code === 'SESSION_NOT_FOUND' ? undefined : facts.message;
  return new GatewayError(verdict.code, titleFor(verdict.code), {
    detail: facts.detail ?? relayed,
    field: verdict.field,
    upstream: { status: facts.status, message: facts.message, durationMs: facts.durationMs },
    outcomeUnknown: verdict.outcomeUnknown ?? false,
    retryAfterSeconds:
      verdict.code === 'UPSTREAM_UNAVAILABLE' ? UNAVAILABLE_RETRY_AFTER_S : undefined,
  });
}

const TRANSPORT: Record<TransportFailure, Verdict & { detail: string }> = {
  'not-sent': {
    code: 'UPSTREAM_UNAVAILABLE',
    detail: 'PAM Core could not be reached (connection refused, DNS or connect timeout)',
  },
  tls: { code: 'UPSTREAM_UNAVAILABLE', detail: 'TLS handshake with PAM Core failed' },
  timeout: {
    code: 'UPSTREAM_TIMEOUT',
    outcomeUnknown: true,
    detail: 'PAM Core did not answer within the timeout',
  },
  // A reset after the request was written: PAM Core may have acted. Unavailable, outcome unknown.
  reset: {
    code: 'UPSTREAM_UNAVAILABLE',
    outcomeUnknown: true,
    detail: 'The connection to PAM Core was reset',
  },
  protocol: {
    code: 'UPSTREAM_ERROR',
    outcomeUnknown: true,
    detail: 'PAM Core answered something that is not HTTP',
  },
  other: {
    code: 'UPSTREAM_UNAVAILABLE',
    outcomeUnknown: true,
    detail: 'The request to PAM Core failed',
  },
};

/**
 * Last resort for answers whose body says nothing we recognise (HTML, empty, truncated, unknown
 * JSON). Proxy statuses keep their meaning: 502 and 503 mean unavailable (502 may come after
 * Segura acted, so its outcome is unknown), 504 is a timeout with unknown outcome; a bare 401/403
 * is a credential/rights problem. Anything else is UPSTREAM_ERROR, with unknown outcome when it
 * was a 2xx or 5xx (Segura may have acted) and known (nothing done) for other statuses.
 */
function byStatus(status: number): Verdict {
  switch (status) {
    case 401:
      return { code: 'UPSTREAM_AUTH_FAILED' };
    case 403:
      return { code: 'UPSTREAM_FORBIDDEN' };
    case 502:
      return { code: 'UPSTREAM_UNAVAILABLE', outcomeUnknown: true };
    case 503:
      return { code: 'UPSTREAM_UNAVAILABLE' };
    case 504:
      return { code: 'UPSTREAM_TIMEOUT', outcomeUnknown: true };
    default:
      return {
        code: 'UPSTREAM_ERROR',
        outcomeUnknown: (status >= 200 && status < 300) || status >= 500,
      };
  }
}

function byMessage(facts: BodyFacts, status: number): Verdict | undefined {
  if (facts.exceptionCode === 1002) return { code: 'SESSION_NOT_FOUND' };
  for (const message of facts.messages) {
    const text = normaliseForMatch(message);
    for (const [pattern, verdict] of MESSAGE_RULES) {
      if (pattern.test(text)) return verdict;
    }
  }
  if (facts.oauthError !== undefined) {
    if (facts.oauthError === 'insufficient_scope') return { code: 'UPSTREAM_FORBIDDEN' };
    if (OAUTH_AUTH_ERRORS.has(facts.oauthError) || status === 400 || status === 401) {
      return { code: 'UPSTREAM_AUTH_FAILED' };
    }
  }
  return undefined;
}

/**
 * Segura's own rate limit (API v2: 429 with Retry-After): UPSTREAM_UNAVAILABLE for as long as it
 * asks, whatever the body says. Nothing was done, so the outcome is known. The caller's
 * Retry-After is the pause {@link UpstreamPause} starts on the same answer.
 */
function rateLimited(
  answer: UpstreamResponse,
  given?: ParsedBody,
): {
  error: UpstreamPauseError;
  unrecognised?: string;
} {
  const seconds = parseRetryAfter(answer.retryAfter, Date.now());
  const parsed = answer.complete
    ? (given ?? parseBody(answer.bodyText, answer.contentType))
    : undefined;
  const text =
    parsed?.kind === 'json' ? upstreamText(bodyFacts(parsed.value), 'UPSTREAM_UNAVAILABLE') : {};
  const error = new UpstreamPauseError(
    seconds,
    `PAM Core is rate limiting the gateway; calls to it pause for ${seconds} s`,
    { status: 429, message: text.message, durationMs: answer.durationMs },
  );
  return { error, unrecognised: text.unrecognised };
}

/**
 * The message an error may carry: a documented text, else the code's generic message (none
 * when Segura sent no text at all).
 */
function upstreamText(
  facts: BodyFacts,
  code: ErrorCode,
): { message?: string; unrecognised?: string } {
  const { documented, unrecognised } = relayedText(facts.messages, 'error');
  if (documented !== undefined) return { message: documented, unrecognised };
  return { message: facts.messages.length > 0 ? genericMessage(code) : undefined, unrecognised };
}

/** Classifies one exchange with Segura into success or a GatewayError. Never throws. */
export function classifyAnswer(answer: UpstreamAnswer, opts: ClassifyOptions = {}): Classification {
  const { durationMs } = answer;
  if (answer.kind === 'transport') {
    const t = TRANSPORT[answer.failure];
    return {
      ok: false,
      error: upstreamError(t, { status: answer.status, durationMs, detail: t.detail }),
    };
  }
  const { status } = answer;
  if (status === 429) return { ok: false, ...rateLimited(answer, opts.parsed) };
  const parsed = opts.parsed ?? parseBody(answer.bodyText, answer.contentType);
  if (!answer.complete || parsed.kind !== 'json') {
    const verdict = byStatus(status);
    const detail = !answer.complete ? 'incomplete or oversized answer' : `${parsed.kind} answer`;
    return {
      ok: false,
      error: upstreamError(verdict, {
        status,
        durationMs,
        detail: `PAM Core sent an ${detail} (HTTP ${status})`,
      }),
    };
  }
  const facts = bodyFacts(parsed.value);
  const is2xx = status >= 200 && status < 300;
  const hasSuccessKey = (opts.successKeys ?? []).some((k) => k in parsed.value);
  if (is2xx && (facts.errorFlag === false || (facts.errorFlag === undefined && hasSuccessKey))) {
    // Success is decided by shape; its text only when it is a documented success text.
    const { documented, unrecognised } = relayedText(facts.messages, 'success');
    const message = documented ?? opts.defaultSuccessMessage ?? '';
    return { ok: true, status, message, body: parsed.value, durationMs, unrecognised };
  }
  const verdict = byMessage(facts, status) ?? byStatus(status);
  const { message, unrecognised } = upstreamText(facts, verdict.code);
  return {
    ok: false,
    error: upstreamError(verdict, { status, message, durationMs }),
    unrecognised,
  };
}
