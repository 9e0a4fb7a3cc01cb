import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A caller's X-Request-Id is kept when short and printable; otherwise we mint one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

export function acceptOrCreateRequestId(incoming: string | string[] | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

/**
 * pino-http's genReqId: runs first for every request, so the id is on the request (for guards,
 * services and the audit record) and on the response before anything can fail.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const r = req as IncomingMessage & { requestId?: string };
  if (r.requestId) return r.requestId;
  const id = acceptOrCreateRequestId(req.headers[REQUEST_ID_HEADER]);
  r.requestId = id;
  res.setHeader('X-Request-Id', id);
  return id;
}
