import type { Kysely } from 'kysely';
import { GatewayError } from '../errors';
import { toAuditRecord, type AuditDb } from './audit-entry';
import {
  AUDIT_ACTIONS,
  AUDIT_DECISIONS,
  AUDIT_OUTCOMES,
  type AuditFilter,
  type AuditPage,
} from './audit.types';

export const MAX_PAGE_SIZE = 200;
const MAX_TEXT = 256;

/** How the caller's channel names the page parameters, so errors name what the caller sent. */
export interface PageParamNames {
  first: string;
  after: string;
}

export interface ParsedAuditQuery {
  filter: AuditFilter;
  first: number;
  beforeSeq: number | null;
}

export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9]\d{0,15}$/.test(text) || encodeCursor(Number(text)) !== cursor) return null;
  const seq = Number(text);
  return Number.isSafeInteger(seq) ? seq : null;
}

// An offset is required with a time of day: a zone-less time would be read in server local time.
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

function bad(field: string, detail: string): GatewayError {
  const message = `Invalid ${field}: ${detail}`;
  return new GatewayError('BAD_USER_INPUT', message, { field, detail: message });
}

function isoTime(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' && ISO_8601.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw bad(
      field,
      `must be an ISO 8601 date or date-time with offset, e.g. 2026-01-31T12:00:00Z`,
    );
  }
  return new Date(ms).toISOString();
}

function text(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw bad(field, `must be a string of 1 to ${MAX_TEXT} characters`);
  }
  return value;
}

function oneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw bad(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Validates a filter and page request; throws BAD_USER_INPUT naming the first bad field. */
export function parseAuditQuery(
  filter: AuditFilter | null | undefined,
  first: number,
  after: string | null | undefined,
  names: PageParamNames = { first: 'first', after: 'after' },
): ParsedAuditQuery {
  const f: Record<string, unknown> = { ...(filter ?? {}) };
  const parsed: AuditFilter = {
    sessionId: text('sessionId', f.sessionId),
    actor: text('actor', f.actor),
    action: oneOf('action', f.action, AUDIT_ACTIONS),
    outcome: oneOf('outcome', f.outcome, [...AUDIT_OUTCOMES, 'pending' as const]),
    decision: oneOf('decision', f.decision, AUDIT_DECISIONS),
    since: isoTime('since', f.since),
    until: isoTime('until', f.until),
  };
  for (const key of Object.keys(f)) {
    if (f[key] !== undefined && !(key in parsed)) throw bad(key, 'is not a known filter');
  }
  if (parsed.since && parsed.until && parsed.since > parsed.until) {
    throw bad('until', 'must not be earlier than since');
  }
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw bad(names.first, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  let beforeSeq: number | null = null;
  if (after !== undefined && after !== null) {
    beforeSeq = decodeCursor(after);
    if (beforeSeq === null) throw bad(names.after, 'is not a cursor this API returned');
  }
  const clean = Object.fromEntries(
    Object.entries(parsed).filter(([, v]) => v !== undefined),
  ) as AuditFilter;
  return { filter: clean, first, beforeSeq };
}

/** One page of records, newest first, each with its outcome folded in. */
export async function runAuditQuery(db: Kysely<AuditDb>, q: ParsedAuditQuery): Promise<AuditPage> {
  const f = q.filter;
  let query = db
    .selectFrom('audit_chain as i')
    // An outcome entry is the only row whose ref_id names the intent (ref_id is unique).
    .leftJoin('audit_chain as o', 'o.ref_id', 'i.id')
    .selectAll('i')
    .select([
      'o.seq as o_seq',
      'o.time as o_time',
      'o.hash as o_hash',
      'o.outcome as o_outcome',
      'o.error_code as o_error_code',
      'o.upstream_status as o_upstream_status',
      'o.upstream_message as o_upstream_message',
      'o.upstream_duration_ms as o_upstream_duration_ms',
      'o.details as o_details',
    ])
    .where('i.kind', '=', 'intent');
  if (f.sessionId !== undefined) query = query.where('i.session_id', '=', f.sessionId);
  if (f.actor !== undefined) {
    const actor = f.actor;
    query = query.where((eb) =>
      eb.or([eb('i.actor_id', '=', actor), eb('i.actor_name', '=', actor)]),
    );
  }
  if (f.action !== undefined) query = query.where('i.action', '=', f.action);
  if (f.decision !== undefined) query = query.where('i.decision', '=', f.decision);
  if (f.outcome === 'pending') {
    query = query.where('i.decision', '=', 'allowed').where('o.seq', 'is', null);
  } else if (f.outcome !== undefined) {
    query = query.where('o.outcome', '=', f.outcome);
  }
  // Half-open range: since <= time < until.
  if (f.since !== undefined) query = query.where('i.time', '>=', f.since);
  if (f.until !== undefined) query = query.where('i.time', '<', f.until);
  if (q.beforeSeq !== null) query = query.where('i.seq', '<', q.beforeSeq);

  const rows = await query
    .orderBy('i.seq', 'desc')
    .limit(q.first + 1)
    .execute();
  const items = rows.slice(0, q.first).map((r) =>
    toAuditRecord(
      r,
      r.o_seq === null || r.o_time === null || r.o_hash === null
        ? null
        : {
            seq: r.o_seq,
            time: r.o_time,
            hash: r.o_hash,
            outcome: r.o_outcome,
            error_code: r.o_error_code,
            upstream_status: r.o_upstream_status,
            upstream_message: r.o_upstream_message,
            upstream_duration_ms: r.o_upstream_duration_ms,
            details: r.o_details,
          },
    ),
  );
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.first && last ? encodeCursor(last.seq) : null };
}

/** Allowed intents without an outcome recorded at or before `cutoff`, oldest first. */
export function findOpenIntents(
  db: Kysely<AuditDb>,
  cutoff: string,
): Promise<Array<{ id: string; seq: number }>> {
  return db
    .selectFrom('audit_chain as i')
    .leftJoin('audit_chain as o', 'o.ref_id', 'i.id')
    .select(['i.id', 'i.seq'])
    .where('i.kind', '=', 'intent')
    .where('i.decision', '=', 'allowed')
    .where('o.seq', 'is', null)
    .where('i.time', '<=', cutoff)
    .orderBy('i.seq', 'asc')
    .execute();
}
