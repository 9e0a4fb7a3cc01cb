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
 * Runs first for every request (the HTTP server's first hook; pino-http's genReqId as a
 * fallback), so the id is on the request (for guards, services and the audit record) and on
 * the response before anything can fail. `given`: an id already chosen by
 * {@link acceptOrCreateRequestId}.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse, given?: string): string {
  const r = req as IncomingMessage & { requestId?: string };
  if (r.requestId) return r.requestId;
  const id = given ?? acceptOrCreateRequestId(req.headers[REQUEST_ID_HEADER]);
  r.requestId = id;
  res.setHeader('X-Request-Id', id);
  return id;
}
