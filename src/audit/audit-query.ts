import type { Kysely } from 'kysely';
import { toAuditRecord, type AuditDb } from './audit-entry';
import type { AuditFilter, AuditPage } from './audit.types';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_AUDIT_PAGE_SIZE = 50;

/** A validated read: conditions, page size, and where the page starts (before this seq). */
export interface AuditQuery {
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

/** True for a cursor an earlier page returned (its nextCursor). */
export function isAuditCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== null;
}

/** The query for a validated read (the cursor already checked). */
export function auditQueryOf(input: {
  filter: AuditFilter;
  first: number;
  after: string | null;
}): AuditQuery {
  const beforeSeq = input.after === null ? null : decodeCursor(input.after);
  return { filter: input.filter, first: input.first, beforeSeq };
}

/** One page of records, newest first, each with its outcome folded in. */
export async function runAuditQuery(db: Kysely<AuditDb>, q: AuditQuery): Promise<AuditPage> {
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
