import { httpCall } from './gateway';

/** A termination over either channel, reduced to what a caller sees, on one axis. */
export type Channel = 'rest' | 'graphql';
export const CHANNELS: Channel[] = ['rest', 'graphql'];

export interface Answer {
  /** REST: the HTTP status. GraphQL: the taxonomy's status for the error code, 200 on success. */
  status: number;
  code?: string;
  payload?: { sessionId: string; terminated: boolean; auditEventId: string; requestId: string };
  /** X-Request-Id of the HTTP answer. */
  requestId: string | null;
  /** REST: the Retry-After header. GraphQL: extensions.retryAfterSeconds. */
  retryAfter: string | null;
  raw: string;
}

export interface TerminateOptions {
  token?: string;
  apiKey?: string;
  reason?: unknown;
  /** REST only: the raw JSON body (overrides reason). */
  body?: unknown;
  requestId?: string;
  /** REST only: sent as the Idempotency-Key header. */
  idempotencyKey?: string;
}

export const TERMINATE_MUTATION = `mutation T($id: ID!, $reason: String) {
  terminateSession(id: $id, reason: $reason) { sessionId terminated auditEventId requestId }
}`;

/** The REST status docs/errors.md assigns to each code: the test-side oracle. */
const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  SESSION_NOT_FOUND: 404,
  TERMINATION_FAILED: 409,
  UPSTREAM_AUTH_FAILED: 502,
  UPSTREAM_FORBIDDEN: 502,
  UPSTREAM_ERROR: 502,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_UNAVAILABLE: 503,
  AUDIT_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  IDEMPOTENCY_KEY_REUSED: 422,
};

/** The REST status for a code, so both channels compare on one axis (-1 for an unknown code). */
export function statusOfCode(code: string | undefined): number {
  return STATUS[code ?? ''] ?? -1;
}

/** POST /api/v1/sessions/{id}/terminate or the terminateSession mutation against `baseUrl`. */
export async function terminate(
  baseUrl: string,
  channel: Channel,
  id: string,
  o: TerminateOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (o.requestId) headers['x-request-id'] = o.requestId;
  if (o.apiKey) headers['x-api-key'] = o.apiKey;
  if (channel === 'rest') {
    if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
    const body = o.body ?? (o.reason === undefined ? undefined : { reason: o.reason });
    const res = await httpCall(
      baseUrl,
      'POST',
      `/api/v1/sessions/${encodeURIComponent(id)}/terminate`,
      { token: o.token, body, headers },
    );
    return {
      status: res.status,
      code: res.json?.code,
      payload: res.status === 200 ? res.json : undefined,
      requestId: res.headers.get('x-request-id'),
      retryAfter: res.headers.get('retry-after'),
      raw: res.text,
    };
  }
  const res = await httpCall(baseUrl, 'POST', '/graphql', {
    token: o.token,
    body: { query: TERMINATE_MUTATION, variables: { id, reason: o.reason } },
    headers,
  });
  const err = res.json?.errors?.[0];
  const code: string | undefined = err?.extensions?.code;
  const retry = err?.extensions?.retryAfterSeconds;
  return {
    status: err ? statusOfCode(code) : res.status,
    code,
    payload: res.json?.data?.terminateSession ?? undefined,
    requestId: res.headers.get('x-request-id'),
    retryAfter: retry === undefined ? null : String(retry),
    raw: res.text,
  };
}
